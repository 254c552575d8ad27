#include <boost/json.hpp>

#include "http/server.hpp"

namespace berth::http {

std::string request::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

std::string request::path() const {
  return target.substr(0, target.find('?'));
}

response error_response(int status, const std::string& code, const std::string& message) {
  boost::json::object error{{"code", code}, {"message", message}};
  response res;
  res.status = status;
  res.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
  return res;
}

}  // namespace berth::http
