# aup-milter links Debian's static libmilter.a and wraps the engine's command reader, so that a
# malformed macro packet is dropped before libmilter stores it (libmilter_read_guard.cpp
# says why). Everything else that links aup_daemon (unit tests, fuzz targets) keeps the shared
# library: MILTER_LIBRARY picks the archive for targets with AUP_STATIC_LIBMILTER set.
# Included from the top-level CMakeLists.txt, after milter/: paths are spelled out.
target_sources(aup_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/macro_guard.cpp
  ${CMAKE_CURRENT_LIST_DIR}/connection_limit.cpp)
target_sources(aup-milter PRIVATE ${CMAKE_CURRENT_LIST_DIR}/libmilter_read_guard.cpp)
set_target_properties(aup-milter PROPERTIES AUP_STATIC_LIBMILTER ON)
target_link_options(aup-milter PRIVATE "LINKER:--wrap=mi_rd_cmd")
