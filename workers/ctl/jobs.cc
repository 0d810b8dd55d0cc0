#include "workers/ctl/jobs.h"

#include <cstdio>

#include "common/error.h"
#include "common/json.h"
#include "common/pg.h"
#include "workers/services/job_admin_service.h"

namespace ctl {

namespace {

namespace pg = common::pg;

constexpr int kRows = 20;
constexpr size_t kErrorWidth = 60;

std::string cell(const Json::Value& v) {
  if (v.isNull()) return "-";
  if (v.isString()) return v.asString();
  return common::json::write(v);
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s + " ";
}

std::string one_line(std::string s, size_t width) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s;
}

std::string table(const char* title, const Json::Value& page) {
  std::string out = std::string(title) + "\n";
  out += pad("ID", 8) + pad("QUEUE", 9) + pad("KIND", 20) + pad("STATE", 8) + pad("TRIES", 6) +
         pad("RUN_AT", 27) + "LAST_ERROR\n";
  for (const Json::Value& j : page["items"]) {
    out += pad(cell(j["id"]), 8) + pad(cell(j["queue"]), 9) + pad(cell(j["kind"]), 20) +
           pad(cell(j["state"]), 8) + pad(cell(j["attempts"]) + "/" + cell(j["max_attempts"]), 6) +
           pad(cell(j["run_at"]), 27) + one_line(cell(j["last_error"]), kErrorWidth) + "\n";
  }
  if (page["items"].empty()) out += "(none)\n";
  return out;
}

pg::ConnectionOptions ctl_db_options(const std::string& url) {
  pg::ConnectionOptions o;
  o.conninfo = url;
  o.application_name = "ecommerce-ctl";
  o.roles = pg::Roles{pg::Role::kService};
  o.prepare_on_connect = false;
  return o;
}

}  // namespace

std::string render_jobs_tables(const Json::Value& jobs) {
  return table("newest jobs", jobs["recent"]) + "\n" + table("dead jobs", jobs["dead"]);
}

int run_jobs_command(const JobsCommand& command, bool json, const common::EnvLookup& env) {
  const char* url = env("DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    std::fprintf(stderr,
                 "ecommerce-ctl: jobs reads the queue from PostgreSQL: set DATABASE_URL "
                 "(the local stack's: DATABASE_URL=$(scripts/pg.sh url))\n");
    return kUsage;
  }
  try {
    pg::Connection db(ctl_db_options(url));
    if (command.retry_id) {
      const Json::Value job = services::retry_job(db, *command.retry_id);
      if (json) {
        std::printf("%s\n", common::json::write(job).c_str());
      } else {
        std::printf("job %lld re-queued (%s, %s)\n", static_cast<long long>(*command.retry_id),
                    job["queue"].asCString(), job["kind"].asCString());
      }
      return kOk;
    }
    services::JobListRequest recent;
    recent.limit = kRows;
    services::JobListRequest dead = recent;
    dead.state = "dead";
    Json::Value out(Json::objectValue);
    out["recent"] = services::list_jobs(db, recent);
    out["dead"] = services::list_jobs(db, dead);
    const std::string text = json ? common::json::write(out) + "\n" : render_jobs_tables(out);
    std::fputs(text.c_str(), stdout);
    return kOk;
  } catch (const common::AppError& e) {
    std::fprintf(stderr, "ecommerce-ctl: refused: %s\n", e.what());
    return kRefused;
  } catch (const pg::DbError& e) {
    std::fprintf(stderr, "ecommerce-ctl: cannot read the job queue: %s\n", e.what());
    return kUnreachable;
  }
}

}  // namespace ctl
