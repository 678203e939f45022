// Boost.Asio, Boost.Beast and Boost.URL are compiled once, here (separate compilation),
// so that editing any other file of the project does not recompile them.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/url/src.hpp>
