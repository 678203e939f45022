// The demo deployment of `clueline demo`: keys, a small jurisdiction and
// four poster sites.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/storage/store.hpp"

namespace clueline::app {

struct DemoSite {
  std::uint32_t site_id = 0;
  std::string name;
  std::string token;  // signed for the site's current token version
  std::string url;    // base URL + "/s/" + token
};

// On the first run (no deployment record in `store`) creates the keys under
// data_dir/keys (site-signing.key/.pub and one X25519 pair per receiving
// unit), the units Demo Province > Demo City > Demo County > Dongshan and
// Xishan townships > their villages, four sites and, last, the deployment
// record, which marks the setup as complete. Later runs change nothing and
// re-sign the tokens with data_dir/keys/site-signing.key.
//
// Returns every site in the store (those added since with `clueline site add`
// too) in id order. Throws std::runtime_error if the store holds units or
// sites but no deployment record (an interrupted setup, or a database that
// is not the demo's) or if the stored key does not match the deployment.
std::vector<DemoSite> prepare_demo_data(storage::Store& store,
                                        const std::filesystem::path& data_dir,
                                        std::string_view base_url);

}  // namespace clueline::app
