// State: double-buffered columns, attributes and records, and the bit-for-bit agent comparison.
#include <catch2/catch.hpp>
#include <cstdint>

#include "sim/core/state.hpp"

namespace {

struct __attribute__((packed)) Rec {
  std::uint8_t code = 0;
  std::int32_t until = -1;
  double money = 0;
};
static_assert(sizeof(Rec) == 13, "packed: no padding bytes");

}  // namespace

TEST_CASE("state: a record holds one struct per agent, single-buffered, compared bit for bit", "[state]") {
  wom::State a(5), b(5);
  auto& col_a = a.add<float>("x", 0.5f);
  auto& col_b = b.add<float>("x", 0.5f);
  std::vector<Rec>& ra = a.add_record<Rec>("rec", Rec{2, 7, 1.25});
  std::vector<Rec>& rb = b.add_record<Rec>("rec", Rec{2, 7, 1.25});
  REQUIRE(ra.size() == 5);
  CHECK(int(ra[4].code) == 2);  // by value: no reference to a packed field
  CHECK(int(ra[4].until) == 7);
  CHECK(double(ra[4].money) == 1.25);
  // Bytes: two buffers of the column, one of the record.
  CHECK(a.bytes() == 5 * 2 * sizeof(float) + 5 * sizeof(Rec));
  for (std::size_t v = 0; v < 5; ++v) CHECK(a.same_agent(b, v));

  ra[3].money = -0.0;  // differs from 0.0 only in its bits
  rb[3].money = 0.0;
  CHECK_FALSE(a.same_agent(b, 3));
  CHECK(a.same_agent(b, 2));
  rb[3].money = -0.0;
  CHECK(a.same_agent(b, 3));

  // A swap exchanges the columns' buffers and leaves records alone.
  col_a.next[1] = 3.0f;
  ra[1].until = 42;
  a.swap();
  CHECK(col_a.now[1] == 3.0f);
  CHECK(ra[1].until == 42);
  CHECK_FALSE(a.same_agent(b, 1));
  col_b.now[1] = 3.0f;
  rb[1].until = 42;
  CHECK(a.same_agent(b, 1));
}
