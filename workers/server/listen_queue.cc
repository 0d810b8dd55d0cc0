#include "workers/server/listen_queue.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "workers/server/listen_socket.h"

namespace server {

namespace {

int unix_queue_length(ino_t inode) {
  UniqueFd nl(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (nl.get() < 0) return -1;
  struct {
    nlmsghdr nh;
    unix_diag_req req;
  } msg{};
  msg.nh.nlmsg_len = sizeof msg;
  msg.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nh.nlmsg_flags = NLM_F_REQUEST;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = ~0U;
  msg.req.udiag_ino = static_cast<__u32>(inode);
  msg.req.udiag_show = UDIAG_SHOW_RQLEN;
  msg.req.udiag_cookie[0] = msg.req.udiag_cookie[1] = ~0U;  // INET_DIAG_NOCOOKIE
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(nl.get(), &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
      0) {
    return -1;
  }
  alignas(nlmsghdr) char buf[1024];
  const ssize_t n = ::recv(nl.get(), buf, sizeof buf, 0);
  if (n <= 0) return -1;
  auto* h = reinterpret_cast<nlmsghdr*>(buf);
  if (!NLMSG_OK(h, static_cast<unsigned>(n)) || h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return -1;
  auto* diag = static_cast<unix_diag_msg*>(NLMSG_DATA(h));
  int remaining = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *diag));
  auto* attr = reinterpret_cast<rtattr*>(diag + 1);
  for (; RTA_OK(attr, remaining); attr = RTA_NEXT(attr, remaining)) {
    if (attr->rta_type == UNIX_DIAG_RQLEN) {
      unix_diag_rqlen rq{};
      std::memcpy(&rq, RTA_DATA(attr), sizeof rq);
      return static_cast<int>(rq.udiag_rqueue);
    }
  }
  return -1;
}

}  // namespace

int listen_queue_length(int listen_fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return -1;
  if (addr.ss_family == AF_UNIX) {
    struct stat st {};
    if (::fstat(listen_fd, &st) < 0) return -1;
    return unix_queue_length(st.st_ino);
  }
  tcp_info info{};
  socklen_t info_len = sizeof info;
  if (::getsockopt(listen_fd, IPPROTO_TCP, TCP_INFO, &info, &info_len) < 0) return -1;
  return static_cast<int>(info.tcpi_unacked);
}

}  // namespace server
