#include <gtest/gtest.h>

#include "tests/docker/daemon_fixture.hpp"
#include "tests/docker/tar_archive.hpp"

namespace berth::docker::testing {
namespace {

using images = daemon_test;

TEST_F(images, import_a_streamed_root_filesystem_and_remove_it_again) {
  auto tag = unique_name("import");
  std::string reference = "berth-test-import:" + tag;
  auto rootfs = write_tar({{"etc/", tar_entry::kind::directory, 0755, {}, {}, 0},
                           {"etc/berth", tar_entry::kind::file, 0644, "imported\n", {}, 9}});
  auto imported =
      docker_->import_image({"berth-test-import", tag, "berth test"}, string_source(rootfs, 100));
  ASSERT_TRUE(imported) << describe(imported.error());
  EXPECT_TRUE(imported->starts_with("sha256:"));
  auto info = docker_->inspect_image(reference);
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->id, *imported);

  ASSERT_TRUE(docker_->remove_image(reference));
  EXPECT_EQ(docker_->image_exists(reference), false);
  auto again = docker_->remove_image(reference);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, error_code::not_found);
}

TEST_F(images, report_an_import_of_something_that_is_no_tar_as_an_error) {
  auto tag = unique_name("garbage");
  auto imported =
      docker_->import_image({"berth-test-import", tag, ""}, string_source(std::string(4096, 'x')));
  ASSERT_FALSE(imported);
  EXPECT_FALSE(imported.error().message.empty());
  EXPECT_EQ(docker_->image_exists("berth-test-import:" + tag), false);
}

TEST_F(images, refuse_to_remove_an_image_a_container_uses) {
  create(test_spec({"true"}));
  auto removed = docker_->remove_image(test_image);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, error_code::conflict) << describe(removed.error());
}

}  // namespace
}  // namespace berth::docker::testing
