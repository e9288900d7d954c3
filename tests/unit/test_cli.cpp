#include "app/cli.hpp"

#include <gtest/gtest.h>

namespace koe {
namespace {

CliResult parse(std::vector<std::string> args) {
  args.insert(args.begin(), "koe");
  return parse_cli(args);
}

TEST(Cli, NoArgumentsRunsTheDesktopApp) {
  const auto r = parse({});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->command, CliCommand::kRun);
  EXPECT_FALSE(r.options->headless);
  EXPECT_TRUE(r.options->profile_dir.empty());
  EXPECT_FALSE(r.options->listen_port);
}

TEST(Cli, HelpAndVersionExitZeroWithText) {
  const auto help = parse({"--help"});
  EXPECT_FALSE(help.options);
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--headless", "--profile", "--listen", "--duration", "--name", "--version"})
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  const auto version = parse({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("koe ", 0), 0u) << version.out;
  EXPECT_NE(version.out.find("protocol"), std::string::npos);
}

TEST(Cli, UnknownOptionIsNamedWithExitTwo) {
  const auto r = parse({"--headles"});
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--headles"), std::string::npos) << r.err;
}

TEST(Cli, ListenPortIsValidated) {
  for (const char* bad : {"80", "1024", "65536", "0", "-5", "abc", "40000x"}) {
    const auto r = parse({"--headless", "--listen", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--listen"), std::string::npos) << bad << ": " << r.err;
  }
  for (const char* good : {"1025", "40000", "65535"}) {
    const auto r = parse({"--headless", "--listen", good});
    ASSERT_TRUE(r.options) << good << ": " << r.err;
    EXPECT_EQ(*r.options->listen_port, std::stoi(good));
  }
}

TEST(Cli, ElectionOptionsAreParsedAndValidated) {
  const auto r = parse({"--headless", "--bind", "127.0.0.5", "--supernode-upstream-kbps", "2500",
                        "--supernode-max-cpu", "30", "--supernode-max-clients", "4", "--election-min-uptime", "0", "--election-reaction", "3",
                        "--election-min-cpu", "0.25"});
  ASSERT_TRUE(r.options) << r.err;
  EXPECT_EQ(r.options->bind_address, "127.0.0.5");
  EXPECT_EQ(*r.options->supernode_upstream_kbps, 2500);
  EXPECT_EQ(*r.options->supernode_max_cpu_percent, 30);
  EXPECT_EQ(*r.options->supernode_max_clients, 4u);
  EXPECT_EQ(*r.options->election_min_uptime_s, 0);
  EXPECT_EQ(*r.options->election_reaction_s, 3);
  EXPECT_EQ(*r.options->election_min_cpu, 0.25);
  const std::vector<std::vector<std::string>> bad = {{"--bind", "localhost"},
                                                     {"--supernode-upstream-kbps", "0"},
                                                     {"--supernode-max-clients", "0"},
                                                     {"--supernode-max-cpu", "0"},
                                                     {"--supernode-max-cpu", "101"},
                                                     {"--election-min-uptime", "-1"},
                                                     {"--election-min-cpu", "1.5"}};
  for (const auto& args : bad) {
    const auto refused = parse({"--headless", args[0], args[1]});
    EXPECT_EQ(refused.exit_code, 2) << args[0];
    EXPECT_NE(refused.err.find(args[0]), std::string::npos) << refused.err;
  }
}

TEST(Cli, MissingValueIsAnError) {
  const auto r = parse({"--listen"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--listen"), std::string::npos) << r.err;
}

TEST(Cli, DurationMustBePositiveAndNeedsHeadless) {
  EXPECT_EQ(parse({"--headless", "--duration", "-1"}).exit_code, 2);
  EXPECT_EQ(parse({"--headless", "--duration", "soon"}).exit_code, 2);
  const auto no_headless = parse({"--duration", "3"});
  EXPECT_EQ(no_headless.exit_code, 2);
  EXPECT_NE(no_headless.err.find("--headless"), std::string::npos);
  const auto ok = parse({"--headless", "--duration", "2.5"});
  ASSERT_TRUE(ok.options);
  EXPECT_DOUBLE_EQ(*ok.options->duration_s, 2.5);
}

TEST(Cli, IdSubcommandTakesAProfile) {
  const auto r = parse({"id", "--profile", "/tmp/x"});
  ASSERT_TRUE(r.options) << r.err;
  EXPECT_EQ(r.options->command, CliCommand::kId);
  EXPECT_EQ(r.options->profile_dir, "/tmp/x");
  const auto before = parse({"--profile", "/tmp/y", "id"});
  ASSERT_TRUE(before.options) << before.err;
  EXPECT_EQ(before.options->command, CliCommand::kId);
  EXPECT_EQ(before.options->profile_dir, "/tmp/y");
}

TEST(Cli, UnexpectedPositionalArgumentIsAnError) {
  const auto r = parse({"call-someone"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("call-someone"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace koe
