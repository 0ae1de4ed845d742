#include "tools/commands/family_compare.h"

#include <fmt/format.h>
#include <rocksdb/db.h>

#include <memory>

namespace paystream {
namespace {

std::string printable_key(std::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

}  // namespace

void note(Comparison& comparison, std::string what) {
  ++comparison.difference_count;
  if (comparison.differences.size() < differences_shown_max)
    comparison.differences.push_back(std::move(what));
}

Status compare_family(rocksdb::DB* live_db, rocksdb::ColumnFamilyHandle* live, rocksdb::DB* rebuilt_db,
                      rocksdb::ColumnFamilyHandle* rebuilt, const std::string& name, Comparison& comparison) {
  std::unique_ptr<rocksdb::Iterator> a(live_db->NewIterator(rocksdb::ReadOptions(), live));
  std::unique_ptr<rocksdb::Iterator> b(rebuilt_db->NewIterator(rocksdb::ReadOptions(), rebuilt));
  a->SeekToFirst();
  b->SeekToFirst();
  while (a->Valid() || b->Valid()) {
    const int order = !a->Valid() ? 1 : !b->Valid() ? -1 : a->key().compare(b->key());
    if (order < 0) {
      note(comparison, fmt::format("{}: live row {} is not explained by the log", name,
                                   printable_key(a->key().ToStringView())));
      a->Next();
    } else if (order > 0) {
      note(comparison, fmt::format("{}: row {} is missing from the live projection", name,
                                   printable_key(b->key().ToStringView())));
      b->Next();
    } else {
      if (a->value() != b->value()) {
        note(comparison, fmt::format("{}: row {} differs from its rebuild", name,
                                     printable_key(a->key().ToStringView())));
      }
      ++comparison.rows;
      a->Next();
      b->Next();
    }
  }
  if (!a->status().ok() || !b->status().ok()) {
    return make_error(Errc::io_error,
                      fmt::format("reading {}: {} {}", name, a->status().ToString(), b->status().ToString()));
  }
  return ok_status();
}

}  // namespace paystream
