// Boost.Asio is compiled once, here (separate compilation), so that editing
// any other file of the project does not recompile it. Beast, Asio's TLS
// layer and Boost.URL are compiled in server/asio_impl.cpp.
#include <boost/asio/impl/src.hpp>
