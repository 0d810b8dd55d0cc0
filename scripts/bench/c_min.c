/* The c_min limit of `make bench`: the least a FastCGI responder can do to
 * answer GET /api/v1/products/{id}, so that the pool's `detail` rows can be
 * read as a share of it.
 *
 *   c_min SOCKET WORKERS SQL_FILE      (DATABASE_URL in the environment)
 *
 * The parent opens SOCKET (a unix socket, mode 0666), forks WORKERS processes
 * and waits; SIGTERM or SIGINT to the parent stops them all. Each process holds
 * one libpq connection, prepares the statement in SQL_FILE once (the service's
 * own catalog.find_product, printed by `ecommerce-server sql`) and serves one
 * request at a time with FCGX_Accept_r. The answer has the service's product
 * detail fields (the same keys in the same order, so the same body size), its
 * envelope, Content-Type, ETag and Content-Length; an unknown id gets 404.
 * The connection is closed as the pool's workers close it (no lingering close).
 * No log, no metrics, no cache: the floor the pool is measured against. */
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 256

/* A growing output buffer. */
typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void buf_grow(buf_t *b, size_t more) {
  if (b->len + more <= b->cap) return;
  while (b->len + more > b->cap) b->cap = b->cap ? b->cap * 2 : 4096;
  b->data = realloc(b->data, b->cap);
  if (!b->data) abort();
}

static void put(buf_t *b, const char *s, size_t n) {
  buf_grow(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

static void puts_(buf_t *b, const char *s) { put(b, s, strlen(s)); }

static void put_i64(buf_t *b, long long v) {
  char tmp[32];
  put(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "%lld", v));
}

/* A JSON string as jsoncpp writes it: quotes, backslashes and control
 * characters escaped, everything else (UTF-8 included) as it is. */
static void put_json_string(buf_t *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  put(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; ++p) {
    switch (*p) {
      case '"': put(b, "\\\"", 2); break;
      case '\\': put(b, "\\\\", 2); break;
      case '\n': put(b, "\\n", 2); break;
      case '\r': put(b, "\\r", 2); break;
      case '\t': put(b, "\\t", 2); break;
      case '\b': put(b, "\\b", 2); break;
      case '\f': put(b, "\\f", 2); break;
      default:
        if (*p < 0x20) {
          char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
          put(b, esc, 6);
        } else {
          put(b, (const char *)p, 1);
        }
    }
  }
  put(b, "\"", 1);
}

/* PostgreSQL's jsonb text ({"a": 1, "b": [1, 2]}) without the blanks outside
 * strings: the compact form the service writes. */
static void put_compact_json(buf_t *b, const char *s) {
  int in_string = 0, escaped = 0;
  for (; *s; ++s) {
    const char c = *s;
    if (in_string) {
      if (escaped) escaped = 0;
      else if (c == '\\') escaped = 1;
      else if (c == '"') in_string = 0;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      continue;
    } else if (c == '"') {
      in_string = 1;
    }
    put(b, s, 1);
  }
}

/* "YYYY-MM-DD HH:MM:SS[.f]+00" as "YYYY-MM-DDTHH:MM:SS.ffffff+00:00". */
static void put_rfc3339(buf_t *b, const char *pg) {
  const size_t n = strlen(pg);
  if (n < 22 || pg[10] != ' ' || strcmp(pg + n - 3, "+00") != 0) {
    put_json_string(b, pg);
    return;
  }
  char out[40], fraction[7] = "000000";
  memcpy(out, pg, 19);
  out[10] = 'T';
  const char *rest = pg + 19;
  const size_t rest_len = n - 19 - 3;
  if (rest_len > 1 && rest[0] == '.') memcpy(fraction, rest + 1, rest_len - 1 > 6 ? 6 : rest_len - 1);
  snprintf(out + 19, sizeof out - 19, ".%s+00:00", fraction);
  put_json_string(b, out);
}

static void put_now(buf_t *b) {
  struct timeval tv;
  struct tm utc;
  char tmp[48];
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &utc);
  put(b, tmp,
      (size_t)snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00",
                       utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                       utc.tm_sec, (long)tv.tv_usec));
}

static uint64_t fnv1a64(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static void put_field_name(buf_t *b, const char *name, int first) {
  if (!first) put(b, ",", 1);
  put(b, "\"", 1);
  puts_(b, name);
  put(b, "\":", 2);
}

/* The data object of one product: the rows of catalog.find_product (product
 * columns 0-5, variant columns 6-11, no variant when column 6 is NULL), keys
 * in the order jsoncpp writes them (sorted). */
static void render_product(buf_t *b, PGresult *r) {
  const int rows = PQntuples(r);
  long long min_price = 0, max_price = 0, total = 0;
  int priced = 0;
  for (int i = 0; i < rows; ++i) {
    if (PQgetisnull(r, i, 6)) continue;
    const long long price = atoll(PQgetvalue(r, i, 8));
    if (!priced || price < min_price) min_price = price;
    if (!priced || price > max_price) max_price = price;
    priced = 1;
    total += atoll(PQgetvalue(r, i, 10));
  }
  put(b, "{", 1);
  put_field_name(b, "category_id", 1);
  if (PQgetisnull(r, 0, 4)) puts_(b, "null");
  else puts_(b, PQgetvalue(r, 0, 4));
  put_field_name(b, "created_at", 0);
  put_rfc3339(b, PQgetvalue(r, 0, 5));
  put_field_name(b, "description", 0);
  if (PQgetisnull(r, 0, 3)) puts_(b, "null");
  else put_json_string(b, PQgetvalue(r, 0, 3));
  put_field_name(b, "id", 0);
  puts_(b, PQgetvalue(r, 0, 0));
  put_field_name(b, "in_stock", 0);
  puts_(b, total > 0 ? "true" : "false");
  put_field_name(b, "max_price_cents", 0);
  if (priced) put_i64(b, max_price);
  else puts_(b, "null");
  put_field_name(b, "min_price_cents", 0);
  if (priced) put_i64(b, min_price);
  else puts_(b, "null");
  put_field_name(b, "sku", 0);
  put_json_string(b, PQgetvalue(r, 0, 1));
  put_field_name(b, "title", 0);
  put_json_string(b, PQgetvalue(r, 0, 2));
  put_field_name(b, "total_available", 0);
  put_i64(b, total);
  put_field_name(b, "variants", 0);
  put(b, "[", 1);
  int first = 1;
  for (int i = 0; i < rows; ++i) {
    if (PQgetisnull(r, i, 6)) continue;
    if (!first) put(b, ",", 1);
    first = 0;
    put(b, "{", 1);
    put_field_name(b, "attributes", 1);
    put_compact_json(b, PQgetvalue(r, i, 9));
    put_field_name(b, "available", 0);
    puts_(b, PQgetvalue(r, i, 10));
    put_field_name(b, "id", 0);
    puts_(b, PQgetvalue(r, i, 6));
    put_field_name(b, "in_stock", 0);
    puts_(b, atoll(PQgetvalue(r, i, 10)) > 0 ? "true" : "false");
    put_field_name(b, "price_cents", 0);
    puts_(b, PQgetvalue(r, i, 8));
    put_field_name(b, "reserved", 0);
    puts_(b, PQgetvalue(r, i, 11));
    put_field_name(b, "sku", 0);
    put_json_string(b, PQgetvalue(r, i, 7));
    put(b, "}", 1);
  }
  put(b, "]}", 2);
}

static void answer(FCGX_Request *req, int status, const char *data, size_t data_len) {
  buf_t body = {0};
  if (status == 200) {
    puts_(&body, "{\"success\":true,\"data\":");
    put(&body, data, data_len);
  } else {
    puts_(&body, "{\"success\":false,\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"product not found\"}");
  }
  puts_(&body, ",\"timestamp\":\"");
  put_now(&body);
  puts_(&body, "\"}");
  char head[256];
  const int head_len =
      status == 200
          ? snprintf(head, sizeof head,
                     "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "ETag: \"%016llx\"\r\nContent-Length: %zu\r\n\r\n",
                     (unsigned long long)fnv1a64(data, data_len), body.len)
          : snprintf(head, sizeof head,
                     "Status: 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     body.len);
  FCGX_PutStr(head, head_len, req->out);
  FCGX_PutStr(body.data, (int)body.len, req->out);
  free(body.data);
}

static int serve(int listen_fd, const char *sql) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  PGconn *db = PQconnectdb(getenv("DATABASE_URL") ? getenv("DATABASE_URL") : "");
  if (PQstatus(db) != CONNECTION_OK) {
    fprintf(stderr, "c_min: %s", PQerrorMessage(db));
    return 1;
  }
  PGresult *prepared = PQprepare(db, "find_product", sql, 1, NULL);
  if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
    fprintf(stderr, "c_min: prepare: %s", PQerrorMessage(db));
    return 1;
  }
  PQclear(prepared);
  FCGX_Request req;
  FCGX_InitRequest(&req, listen_fd, 0);
  buf_t data = {0};
  while (FCGX_Accept_r(&req) >= 0) {
    const char *uri = FCGX_GetParam("DOCUMENT_URI", req.envp);
    const char *slash = uri ? strrchr(uri, '/') : NULL;
    const char *id = slash ? slash + 1 : "0";
    PGresult *r = PQexecPrepared(db, "find_product", 1, &id, NULL, NULL, 0);
    data.len = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
      render_product(&data, r);
      answer(&req, 200, data.data, data.len);
    } else {
      answer(&req, 404, NULL, 0);
    }
    PQclear(r);
    /* Closed at once, as the pool's workers close a request whose input they
     * read whole: libfcgi's lingering close (shutdown, wait for nginx to
     * close) is skipped with its `detached` flag. */
    req.detached = 1;
    FCGX_Finish_r(&req);
  }
  PQfinish(db);
  return 0;
}

static volatile sig_atomic_t g_stop = 0;
static void on_stop(int sig) {
  (void)sig;
  g_stop = 1;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  buf_t b = {0};
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) put(&b, chunk, n);
  fclose(f);
  put(&b, "", 1);
  return b.data;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: c_min SOCKET WORKERS SQL_FILE (DATABASE_URL in the environment)\n");
    return 2;
  }
  const int workers = atoi(argv[2]);
  char *sql = read_file(argv[3]);
  if (workers < 1 || workers > MAX_WORKERS || !sql) {
    fprintf(stderr, "c_min: bad WORKERS or unreadable SQL_FILE\n");
    return 2;
  }
  if (FCGX_Init() != 0) return 1;
  unlink(argv[1]);
  char address[512];
  snprintf(address, sizeof address, "%s", argv[1]);
  const int fd = FCGX_OpenSocket(address, 1024);
  if (fd < 0) {
    fprintf(stderr, "c_min: cannot listen on %s\n", argv[1]);
    return 1;
  }
  chmod(argv[1], 0666);
  pid_t pids[MAX_WORKERS];
  for (int i = 0; i < workers; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) return serve(fd, sql);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  while (!g_stop) pause();
  for (int i = 0; i < workers; ++i) kill(pids[i], SIGKILL);
  for (int i = 0; i < workers; ++i) waitpid(pids[i], NULL, 0);
  unlink(argv[1]);
  return 0;
}
