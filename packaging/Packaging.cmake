# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts where, and the Debian package CPack makes of it (scripts/package.sh).
include(GNUInstallDirs)
# Debian keeps a package's documents under the package's name (GNUInstallDirs would use the project's).
set(NDES_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/ndes-console)

set(NDES_APP_ID org.ndesconsole.NdesConsole)
install(FILES ${PROJECT_SOURCE_DIR}/resources/${NDES_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/${NDES_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/${NDES_APP_ID}.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${NDES_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/examples/plan.json DESTINATION ${NDES_DOCDIR}/examples)

set(CPACK_PACKAGE_NAME ndes-console)
set(CPACK_PACKAGE_VENDOR "NDES Console")
set(CPACK_PACKAGE_CONTACT "NDES Console <ndes-console@example.invalid>") # no public address yet
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Console and CLI for Microsoft NDES (SCEP) administrators")
set(CPACK_PACKAGE_DESCRIPTION
    "NDES Console is a desktop console (ndes-console) and its command-line twin (ndesctl) for the people who run\
 Microsoft NDES, the SCEP server of AD CS: server health and certificate expiry, challenge passwords, an end-to-end\
 enrollment test, a live event viewer that explains each NDES event, and a setup wizard that writes checked scripts.\
 ndes-lab, an NDES emulator for training and demos, is included.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # libraries the binaries link, found by dpkg-shlibdeps
# Loaded at run time, so dpkg-shlibdeps cannot see them: the SVG icon engine, the platform plugins, NTLM over GSSAPI.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gss-ntlmssp, gnome-keyring | kwalletmanager")
include(CPack)
