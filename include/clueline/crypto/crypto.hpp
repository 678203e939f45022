// The whole crypto module (docs/crypto-spec.md) in one include.
#pragma once

#include "clueline/crypto/account.hpp"
#include "clueline/crypto/attachment.hpp"
#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/envelope.hpp"
#include "clueline/crypto/hash.hpp"
#include "clueline/crypto/init.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/padding.hpp"
#include "clueline/crypto/pow.hpp"
#include "clueline/crypto/receipt.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "clueline/crypto/secure_buffer.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/crypto/unit_key_certificate.hpp"
