#pragma once
// What a submitted command gets back from either engine once its events are durable.
#include <vector>

#include "events/event.h"

namespace paystream {

struct Outcome {
  std::vector<Event> events;  // with positions and hashes, as stored
  bool duplicate = false;     // the command ID was seen before: these are the first outcome's events
};

}  // namespace paystream
