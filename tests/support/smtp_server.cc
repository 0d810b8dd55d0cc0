#include "tests/support/smtp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/unique_fd.h"
#include "tests/support/ports.h"

namespace test_support {

namespace {

namespace fs = std::filesystem;

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string MailMessage::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (same_name(field, name)) return value;
  }
  return "";
}

size_t MailMessage::header_count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(
      headers.begin(), headers.end(), [&](const auto& h) { return same_name(h.first, name); }));
}

std::string MailMessage::text() const {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '=' && body.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (body[i] == '=' && i + 2 < body.size()) {
      out += static_cast<char>(std::stoi(body.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (body.compare(i, 2, "\r\n") == 0) {
      out += '\n';
      ++i;
    } else {
      out += body[i];
    }
  }
  return out;
}

MailMessage parse_mail_message(std::string raw) {
  MailMessage m;
  m.raw = std::move(raw);
  const std::string& r = m.raw;
  size_t pos = 0;
  while (pos < r.size()) {
    size_t end = r.find('\n', pos);
    if (end == std::string::npos) end = r.size();
    std::string line = r.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = end + 1;
    if (line.empty()) break;  // the blank line: the body follows
    if ((line[0] == ' ' || line[0] == '\t') && !m.headers.empty()) {
      m.headers.back().second += line;  // unfold: CRLF removed, the space kept
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      m.headers.emplace_back(line, "");
      continue;
    }
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    m.headers.emplace_back(line.substr(0, colon), value);
  }
  m.body = pos < r.size() ? r.substr(pos) : "";
  return m;
}

SmtpServer::SmtpServer() : mail_dir_(dir_.path() / "mail"), port_(free_listen_port()) { start(); }

SmtpServer::~SmtpServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    stop();
  }
}

std::string SmtpServer::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

void SmtpServer::start() {
  const char* python_env = std::getenv("SMTP_PYTHON");
  const std::string python = python_env != nullptr && *python_env ? python_env : "/usr/bin/python3";
  const std::string scripts = std::string(ECOMMERCE_SOURCE_DIR) + "/scripts";
  const std::string listen = "127.0.0.1:" + std::to_string(port_);
  const std::string mail = mail_dir_.string();
  const std::string log = (dir_.path() / "smtp.log").string();
  pid_ = ::fork();
  if (pid_ == 0) {
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
    }
    ::setenv("PYTHONPATH", scripts.c_str(), 1);
    ::execl(python.c_str(), python.c_str(), "-m", "aiosmtpd", "-n", "-l", listen.c_str(), "-c",
            "mail_sink.ScriptedMaildir", mail.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  REQUIRE(pid_ > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (greets()) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("the SMTP server exited at start; its log: " << read_file(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("the SMTP server did not greet on " << listen << "; its log: " << read_file(log));
}

bool SmtpServer::greets() const {
  common::UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  if (fd.get() < 0) return false;
  sockaddr_in addr = loopback(port_);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
  pollfd p{fd.get(), POLLIN, 0};
  if (::poll(&p, 1, 1000) != 1) return false;
  char buf[64] = {};
  const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  static constexpr char kQuit[] = "QUIT\r\n";
  (void)!::write(fd.get(), kQuit, sizeof kQuit - 1);
  return n >= 3 && std::string_view(buf, 3) == "220";
}

void SmtpServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void SmtpServer::pause() { ::kill(pid_, SIGSTOP); }
void SmtpServer::resume() { ::kill(pid_, SIGCONT); }

std::vector<MailMessage> SmtpServer::messages() const { return read_maildir(mail_dir_); }

std::vector<MailMessage> read_maildir(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "new", ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<MailMessage> out;
  for (const fs::path& file : files) {
    MailMessage m = parse_mail_message(read_file(file));
    m.file = file;
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<MailMessage> SmtpServer::wait_for_messages(size_t count,
                                                       std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<MailMessage> found = messages();
    if (found.size() >= count || std::chrono::steady_clock::now() >= deadline) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace test_support
