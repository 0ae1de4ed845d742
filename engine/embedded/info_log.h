#pragma once
// RocksDB's diagnostic log (DATA_DIR/LOG), written without RocksDB's file writer. RocksDB's own
// logger appends through a WritableFileWriter, which in an assertion build (Debian's librocksdb)
// aborts the process on the line after a failed write: on a full disk, the ledger died of its
// diagnostics (a flush's log line, or the first line of an open). This one writes each line with
// one write(2) and drops the lines the file system refuses, so the log can never stop the ledger.
#include <memory>
#include <string>

namespace rocksdb {
class Logger;
}

namespace paystream {

// Appends to DATA_DIR/LOG, after renaming the previous run's LOG to LOG.old (one old log is kept,
// not one per open as RocksDB's logger does). When the file cannot be opened (a full or read-only
// file system) the logger drops every line.
std::shared_ptr<rocksdb::Logger> open_info_log(const std::string& data_dir);

// A logger that drops every line: for a database opened read-only, which must not write at all.
std::shared_ptr<rocksdb::Logger> discarding_info_log();

}  // namespace paystream
