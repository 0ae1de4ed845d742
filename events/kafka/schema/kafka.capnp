@0xfe4e1ccd943013b4;
# Kafka mode's envelope on the events topic: one EventBatch message per batch of commands of one
# commands partition (docs/kafka.md, "Design note"). Kept apart from events.capnp so that the shared
# Event is unchanged: a batch carries each event as the exact bytes encode_event wrote, as LogEntry
# does. Evolution rules as in docs/events.md: ordinals are forever, fields are only appended.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("paystream::schema::kafka");

# What became of one command of the batch.
struct CommandOutcome {
  commandId @0 :Text;
  commandOffset @1 :Int64;        # its offset in the commands partition
  errorCode @2 :Text;             # "" when applied; else the stable errc name of the refusal
  errorMessage @3 :Text;
  eventCount @4 :UInt32;          # how many of the batch's events it made, in order
  duplicate @5 :Bool;             # its command ID was applied before: no new events
  fromControl @6 :Bool;           # a command of P.control copied into this batch: commandOffset is
                                  # its offset on P.control
  fingerprint @7 :Data;           # first 16 bytes of SHA-256 of the command's encoding: tells a retry
                                  # of an applied command ID from a different command under that ID
}

struct EventBatch {
  epoch @0 :UInt64;               # the owner's epoch of the partition, raised by each takeover
  owner @1 :Text;                 # the random ID of the takeover that opened the epoch
  sequence @2 :UInt64;            # 1, 2, 3 ... within (epoch, owner); 0 is the takeover marker
  commandPartition @3 :Int32;
  nextCommandOffset @4 :Int64;    # the first offset of the commands partition not covered yet
  events @5 :List(Data);          # encoded Event messages, in log order
  outcomes @6 :List(CommandOutcome);  # one per command of the batch: control commands first, in
                                      # P.control order, then the partition's, in offset order
  nextControlOffset @7 :Int64;    # the first offset of P.control not copied into this partition yet
}
