// Keyset pages as API.md renders them, for every list that pages on an id.
#pragma once

#include <json/value.h>

#include <cstddef>
#include <vector>

namespace common {

// {"items": [render(row)...], "pagination": {"cursor", "has_more", "count", "limit"}}
// from up to limit + 1 rows fetched in page order: the extra row only says
// that there is more. `cursor` is the id of the last item shown (what to pass
// as `after`), null on the last page. Row must have an integer `id`.
template <class Row, class Render>
Json::Value keyset_page(const std::vector<Row>& rows, int limit, Render render) {
  const bool has_more = static_cast<int>(rows.size()) > limit;
  const size_t count = has_more ? static_cast<size_t>(limit) : rows.size();
  Json::Value out(Json::objectValue);
  Json::Value& items = out["items"] = Json::Value(Json::arrayValue);
  for (size_t i = 0; i < count; ++i) items.append(render(rows[i]));
  Json::Value& page = out["pagination"] = Json::Value(Json::objectValue);
  page["cursor"] =
      has_more ? Json::Value(static_cast<Json::Int64>(rows[count - 1].id)) : Json::Value();
  page["has_more"] = has_more;
  page["count"] = static_cast<Json::Int64>(count);
  page["limit"] = limit;
  return out;
}

}  // namespace common
