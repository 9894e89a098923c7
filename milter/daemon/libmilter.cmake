# aup-milter links Debian's static libmilter.a and wraps the engine's command reader, so that a
# malformed macro packet is dropped before libmilter stores it (daemon/libmilter_read_guard.cpp
# says why). Everything else that links aup_daemon (unit tests, fuzz targets) keeps the shared
# library: MILTER_LIBRARY picks the archive for targets with AUP_STATIC_LIBMILTER set.
target_sources(aup_daemon PRIVATE daemon/macro_guard.cpp)
target_sources(aup-milter PRIVATE daemon/libmilter_read_guard.cpp)
set_target_properties(aup-milter PROPERTIES AUP_STATIC_LIBMILTER ON)
target_link_options(aup-milter PRIVATE "LINKER:--wrap=mi_rd_cmd")
