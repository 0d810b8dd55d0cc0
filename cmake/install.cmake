# `make install` (PREFIX, DESTDIR): the binaries, the SQL, the nginx files, the
# built API description and the operator's kit (systemd units, sysusers,
# logrotate, Prometheus rules, Grafana dashboard). Files that name paths are
# configured here from the prefix. Layout, with PREFIX=/usr/local:
#   bin/ecommerce-server, bin/ecommerce-ctl
#   share/ecommerce-service/{sql,nginx,site,prometheus,grafana,openapi.yaml}
#   share/doc/ecommerce-service/README.md
#   lib/systemd/system/ecommerce-{server,redis,smtp}.service
#   lib/sysusers.d/ecommerce-service.conf
#   /etc/logrotate.d/ecommerce-service, /etc/ecommerce-service/ecommerce-server.env.example
#     (ECOMMERCE_SYSCONFDIR, default /etc: where logrotate and the units look)
include(GNUInstallDirs)

if(NOT DEFINED ECOMMERCE_SYSCONFDIR)
  set(ECOMMERCE_SYSCONFDIR /etc)
endif()
if(NOT DEFINED SYSTEMD_UNIT_DIR)
  set(SYSTEMD_UNIT_DIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
if(NOT DEFINED SYSUSERS_DIR)
  set(SYSUSERS_DIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d)
endif()
set(ECOMMERCE_DATADIR ${CMAKE_INSTALL_FULL_DATADIR}/ecommerce-service)
set(ECOMMERCE_DOCDIR ${CMAKE_INSTALL_FULL_DATADIR}/doc/ecommerce-service)

# Placeholders of the .in files.
set(BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(DATADIR ${ECOMMERCE_DATADIR})
set(DOCDIR ${ECOMMERCE_DOCDIR})
set(SITEDIR ${ECOMMERCE_DATADIR}/site)
set(SYSCONFDIR ${ECOMMERCE_SYSCONFDIR})
set(DEPLOY_DIR ${PROJECT_BINARY_DIR}/deploy)
foreach(unit ecommerce-server ecommerce-redis ecommerce-smtp)
  configure_file(${PROJECT_SOURCE_DIR}/docs/systemd/${unit}.service.in ${DEPLOY_DIR}/${unit}.service
                 @ONLY)
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/docs/logrotate/ecommerce-service.in
               ${DEPLOY_DIR}/logrotate/ecommerce-service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/nginx/production/ecommerce-site.conf.in
               ${DEPLOY_DIR}/ecommerce-site.conf @ONLY)

install(TARGETS ecommerce-server ecommerce-ctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sql/ DESTINATION ${ECOMMERCE_DATADIR}/sql)
install(FILES ${PROJECT_SOURCE_DIR}/nginx/nginx.conf.template
              ${PROJECT_SOURCE_DIR}/nginx/response-headers.conf ${DEPLOY_DIR}/ecommerce-site.conf
        DESTINATION ${ECOMMERCE_DATADIR}/nginx)
# Built by scripts/docs.sh (make build): /openapi.json and /docs.
install(DIRECTORY ${PROJECT_BINARY_DIR}/site/ DESTINATION ${ECOMMERCE_DATADIR}/site)
install(FILES ${PROJECT_SOURCE_DIR}/docs/openapi.yaml DESTINATION ${ECOMMERCE_DATADIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/prometheus/alerts.yml
              ${PROJECT_SOURCE_DIR}/docs/prometheus/alerts_test.yml
        DESTINATION ${ECOMMERCE_DATADIR}/prometheus)
install(FILES ${PROJECT_SOURCE_DIR}/docs/grafana/ecommerce-service.json
        DESTINATION ${ECOMMERCE_DATADIR}/grafana)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${ECOMMERCE_DOCDIR})
install(FILES ${DEPLOY_DIR}/ecommerce-server.service ${DEPLOY_DIR}/ecommerce-redis.service
              ${DEPLOY_DIR}/ecommerce-smtp.service
        DESTINATION ${SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/systemd/ecommerce-service.sysusers.conf
        DESTINATION ${SYSUSERS_DIR} RENAME ecommerce-service.conf)
install(FILES ${DEPLOY_DIR}/logrotate/ecommerce-service
        DESTINATION ${ECOMMERCE_SYSCONFDIR}/logrotate.d)
install(FILES ${PROJECT_SOURCE_DIR}/docs/systemd/ecommerce-server.env.example
        DESTINATION ${ECOMMERCE_SYSCONFDIR}/ecommerce-service)
