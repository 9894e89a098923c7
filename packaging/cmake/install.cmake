# What `cmake --install` (and so the Debian package) puts where. Paths follow the Filesystem
# Hierarchy Standard as Debian lays it out; the configuration directory is fixed because the
# binaries default to /etc/aup-milter/aup.json.
include(GNUInstallDirs)

set(AUP_CONFIG_DIR "/etc/aup-milter" CACHE PATH "Installed configuration directory")
set(AUP_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "Installed systemd units")
set(AUP_TMPFILES_DIR "/usr/lib/tmpfiles.d" CACHE PATH "Installed tmpfiles.d configuration")
set(AUP_DATA_DIR "${CMAKE_INSTALL_FULL_DATADIR}/aup-milter")

install(TARGETS aup-milter RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS aupctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The installed configuration is the shipped one with virus scanning on: an installed milter
# has clamd beside it (the package recommends clamav-daemon), a development checkout may not.
set(AUP_INSTALLED_CONFIG "${CMAKE_BINARY_DIR}/packaging/aup.json")
file(READ "${PROJECT_SOURCE_DIR}/rules/aup.json" aup_config)
set(clamd_off [["$comment": "Off here so that a machine without clamd still works; the packaged configuration turns it on.",
    "enabled": false,]])
set(clamd_on [["$comment": "Every outbound message is scanned by clamd (package clamav-daemon). While clamd does not answer, outbound mail is deferred (4xx), never sent unscanned: set enabled to false only if this host has no virus scanner.",
    "enabled": true,]])
string(FIND "${aup_config}" "${clamd_off}" clamd_at)
if(clamd_at EQUAL -1)
  message(FATAL_ERROR "rules/aup.json: the clamd block changed; update packaging/cmake/install.cmake")
endif()
string(REPLACE "${clamd_off}" "${clamd_on}" aup_config "${aup_config}")
file(GENERATE OUTPUT "${AUP_INSTALLED_CONFIG}" CONTENT "${aup_config}")

install(FILES "${AUP_INSTALLED_CONFIG}" DESTINATION ${AUP_CONFIG_DIR})
install(DIRECTORY rules/packs rules/lists DESTINATION ${AUP_CONFIG_DIR})
# The rule files name their schema relatively ("../schema/..."); a link keeps that true in /etc.
install(CODE "file(MAKE_DIRECTORY \"\$ENV{DESTDIR}${AUP_CONFIG_DIR}\")
  file(CREATE_LINK \"${AUP_DATA_DIR}/schema\" \"\$ENV{DESTDIR}${AUP_CONFIG_DIR}/schema\" SYMBOLIC)")

install(DIRECTORY rules/schema DESTINATION ${AUP_DATA_DIR})
install(DIRECTORY packaging/postfix packaging/sendmail DESTINATION ${AUP_DATA_DIR})
install(DIRECTORY tests/corpus/example-policy DESTINATION ${AUP_DATA_DIR}/examples)
install(DIRECTORY tests/corpus/cases/ tests/corpus/samples/ DESTINATION ${AUP_DATA_DIR}/examples/messages
  FILES_MATCHING PATTERN "*.eml")

install(FILES systemd/aup-milter.service systemd/aup-milter-purge.service
  systemd/aup-milter-purge.timer systemd/aup-milter-web.service
  DESTINATION ${AUP_SYSTEMD_UNIT_DIR})
install(FILES packaging/systemd/aup-milter.tmpfiles DESTINATION ${AUP_TMPFILES_DIR}
  RENAME aup-milter.conf)

install(FILES packaging/man/aupctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES packaging/man/aup.json.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES packaging/man/aup-milter.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
