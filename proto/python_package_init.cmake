# cmake -DPACKAGE_DIR=<build>/python/bgpbus -DCLIENT_INIT=<src>/clients/python/bgpbus/__init__.py -P
# Gives the generated bgpbus.v1 modules a parent package: an empty bgpbus/__init__.py, but only
# while the Python client does not provide its own (the client's build copies that one in).
if(NOT DEFINED PACKAGE_DIR OR NOT DEFINED CLIENT_INIT)
  message(FATAL_ERROR "python_package_init.cmake needs PACKAGE_DIR and CLIENT_INIT")
endif()
if(NOT EXISTS "${CLIENT_INIT}" AND NOT EXISTS "${PACKAGE_DIR}/__init__.py")
  file(WRITE "${PACKAGE_DIR}/__init__.py" "")
endif()
