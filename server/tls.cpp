#include "clueline/server/tls.hpp"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace clueline::server {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  std::string message = what;
  if (code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

void add_extension(X509* certificate, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  ExtPtr extension{X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str())};
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    fail("cannot add certificate extension " + value);
  }
}

// Opens for writing with the given mode; the mode matters for the private
// key, which must never be readable by other users, not even briefly.
FilePtr open_for_writing(const std::filesystem::path& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + path.string());
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot set permissions of " + path.string());
  }
  std::FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) {
    ::close(fd);
    throw std::runtime_error("cannot write " + path.string());
  }
  return FilePtr{file};
}

}  // namespace

void write_self_signed_certificate(const std::filesystem::path& certificate_file,
                                   const std::filesystem::path& private_key_file,
                                   const SelfSignedRequest& request) {
  KeyPtr key{EVP_EC_gen("P-256")};
  if (!key) fail("cannot generate a P-256 key");

  CertPtr certificate{X509_new()};
  if (!certificate) fail("cannot allocate a certificate");
  X509_set_version(certificate.get(), X509_VERSION_3);

  // A random 127-bit serial, as RFC 5280 wants serials unique per issuer.
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) fail("cannot draw a serial number");
  serial_bytes[0] &= 0x7f;
  BnPtr serial{BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr)};
  if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))) {
    fail("cannot set the serial number");
  }

  // Backdated an hour so that a client with a slightly slow clock accepts it.
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_time_adj_ex(X509_getm_notAfter(certificate.get()),
                   static_cast<int>(request.validity.count()), 0, nullptr);

  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("clueline"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(request.common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  X509_set_pubkey(certificate.get(), key.get());

  std::string alt_names;
  for (const auto& dns : request.dns_names)
    alt_names += (alt_names.empty() ? "" : ",") + ("DNS:" + dns);
  for (const auto& ip : request.ip_addresses)
    alt_names += (alt_names.empty() ? "" : ",") + ("IP:" + ip);
  if (!alt_names.empty()) add_extension(certificate.get(), NID_subject_alt_name, alt_names);
  add_extension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(certificate.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(certificate.get(), NID_ext_key_usage, "serverAuth");
  add_extension(certificate.get(), NID_subject_key_identifier, "hash");

  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0)
    fail("cannot sign the certificate");

  {
    FilePtr out = open_for_writing(private_key_file, 0600);
    if (PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      fail("cannot write " + private_key_file.string());
    }
  }
  FilePtr out = open_for_writing(certificate_file, 0644);
  if (PEM_write_X509(out.get(), certificate.get()) != 1) {
    fail("cannot write " + certificate_file.string());
  }
}

std::chrono::system_clock::time_point certificate_not_after(
    const std::filesystem::path& certificate_file) {
  FilePtr in{std::fopen(certificate_file.c_str(), "r")};
  if (!in) throw std::runtime_error("cannot read " + certificate_file.string());
  CertPtr certificate{PEM_read_X509(in.get(), nullptr, nullptr, nullptr)};
  if (!certificate) fail("no PEM certificate in " + certificate_file.string());
  std::tm not_after{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate.get()), &not_after) != 1) {
    fail("unreadable notAfter in " + certificate_file.string());
  }
  return std::chrono::system_clock::from_time_t(timegm(&not_after));
}

}  // namespace clueline::server
