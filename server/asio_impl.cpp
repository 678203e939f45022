// Asio's TLS layer, Boost.Beast and Boost.URL are compiled once, here
// (separate compilation); Asio itself is in services/asio_impl.cpp.
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/url/src.hpp>
