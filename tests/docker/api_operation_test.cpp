#include "docker/api_operation.hpp"

#include <gtest/gtest.h>

namespace berth::docker {
namespace {

TEST(api_operation, replaces_a_container_id_and_drops_version_and_query) {
  EXPECT_EQ(api_operation("POST", "/v1.41/containers/3f2a9c0d1e7b/start?t=5"),
            "POST /containers/{id}/start");
  EXPECT_EQ(api_operation("DELETE", "/v1.41/containers/berth-ws-42?force=1&v=0"),
            "DELETE /containers/{id}");
}

TEST(api_operation, keeps_the_endpoints_of_a_collection) {
  EXPECT_EQ(api_operation("POST", "/v1.41/containers/create?name=berth-ws-42"),
            "POST /containers/create");
  EXPECT_EQ(api_operation("GET", "/v1.41/containers/json?all=1&filters=%7B%7D"),
            "GET /containers/json");
  EXPECT_EQ(api_operation("POST", "/v1.41/images/create?fromSrc=-&repo=x"), "POST /images/create");
  EXPECT_EQ(api_operation("POST", "/v1.41/volumes/create"), "POST /volumes/create");
}

TEST(api_operation, names_unversioned_calls_as_they_are) {
  EXPECT_EQ(api_operation("GET", "/_ping"), "GET /_ping");
  EXPECT_EQ(api_operation("GET", "/version"), "GET /version");
  EXPECT_EQ(api_operation("GET", "/v1.41/events?filters=x&since=1"), "GET /events");
  EXPECT_EQ(api_operation("GET", ""), "GET /");
}

TEST(api_operation, replaces_an_image_name_with_slashes_and_a_tag_by_one_placeholder) {
  EXPECT_EQ(api_operation("GET", "/v1.41/images/library/ubuntu:22.04/json"),
            "GET /images/{name}/json");
  EXPECT_EQ(api_operation("DELETE", "/v1.41/images/berth-workspace:fc5c1f6282b4?force=1"),
            "DELETE /images/{name}");
  EXPECT_EQ(api_operation("DELETE", "/v1.41/images/registry.local/team/app"),
            "DELETE /images/{name}");
}

TEST(api_operation, replaces_exec_ids_and_volume_names) {
  EXPECT_EQ(api_operation("POST", "/v1.41/containers/abc/exec"), "POST /containers/{id}/exec");
  EXPECT_EQ(api_operation("POST", "/v1.41/exec/9d8e7f/start"), "POST /exec/{id}/start");
  EXPECT_EQ(api_operation("GET", "/v1.41/exec/9d8e7f/json"), "GET /exec/{id}/json");
  EXPECT_EQ(api_operation("GET", "/v1.41/volumes/berth-ws-42-home"), "GET /volumes/{name}");
  EXPECT_EQ(api_operation("PUT", "/v1.41/containers/abc/archive?path=%2Fhome"),
            "PUT /containers/{id}/archive");
}

TEST(api_operation, replaces_segments_that_are_not_api_words) {
  // Bounded cardinality even for paths this function does not know.
  EXPECT_EQ(api_operation("GET", "/v1.41/unknown/Some-Thing.1"), "GET /unknown/{id}");
}

}  // namespace
}  // namespace berth::docker
