package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The completion script's table of path arguments ({@link PathArguments}) against the live
 * command tree, which others extend: a new argument that looks like a path must be classified
 * (local, remote or none) before it ships, and the table must not name what does not exist.
 */
class PathArgumentsTest {
    /** Every command of the tree, hidden ones included, by path ("" for ft itself). */
    private static Map<String, CommandLine> commands() {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        walk(Main.commandLine(new FtCommand(Map.of())), "", all);
        return all;
    }

    private static void walk(CommandLine command, String path, Map<String, CommandLine> into) {
        into.put(path, command);
        for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
            walk(sub, path.isEmpty() ? sub.getCommandName() : path + " " + sub.getCommandName(), into);
        }
    }

    @Test
    void everyPathLikeArgumentOfTheLiveTreeIsClassified() {
        List<String> unclassified = new ArrayList<>();
        commands().forEach((path, command) -> {
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.arity().max() > 0
                        && PathArguments.looksLikePath(option.paramLabel())
                        && PathArguments.of(path, option) == null) {
                    unclassified.add("ft " + path + " " + option.longestName() + " " + option.paramLabel());
                }
            }
            for (PositionalParamSpec positional : command.getCommandSpec().positionalParameters()) {
                if (PathArguments.looksLikePath(positional.paramLabel()) && PathArguments.ofPositionals(path) == null) {
                    unclassified.add("ft " + path + " " + positional.paramLabel());
                }
            }
        });
        assertThat(unclassified)
                .as("arguments that look like paths but are not in PathArguments' table: add each as local,"
                        + " local-dir, remote, remote-dir or none, so completion knows where to look")
                .isEmpty();
    }

    @Test
    void theTableNamesOnlyArgumentsThatExistOrAreAnnounced() {
        Map<String, CommandLine> commands = commands();
        Set<String> stale = new TreeSet<>();
        for (String key : PathArguments.table().keySet()) {
            int space = key.lastIndexOf(' ');
            CommandLine command = commands.get(key.substring(0, space));
            String argument = key.substring(space + 1);
            boolean exists = command != null
                    && (argument.equals(PathArguments.POSITIONALS)
                            ? !command.getCommandSpec().positionalParameters().isEmpty()
                            : command.getCommandSpec().findOption(argument) != null);
            if (!exists) {
                stale.add(key);
            }
        }
        assertThat(stale)
                .as("table entries for no argument of the live tree (a typo, or a removed option)")
                .isEmpty();
    }

    @Test
    void theLabelsThatLookLikePaths() {
        assertThat(PathArguments.looksLikePath("LOCAL")).isTrue();
        assertThat(PathArguments.looksLikePath("LOCAL... [REMOTE]")).isTrue();
        assertThat(PathArguments.looksLikePath("DIR")).isTrue();
        assertThat(PathArguments.looksLikePath("TO")).isTrue();
        assertThat(PathArguments.looksLikePath("N")).isFalse();
        assertThat(PathArguments.looksLikePath("SECONDS")).isFalse();
        assertThat(PathArguments.looksLikePath("[tls://]HOST:PORT")).isFalse();
    }

    @Test
    void theIssuesClassification() {
        Map<String, CommandLine> commands = commands();
        assertThat(PathArguments.ofPositionals("get")).isEqualTo(PathArguments.Kind.REMOTE);
        assertThat(PathArguments.of("get", commands.get("get").getCommandSpec().findOption("-o")))
                .isEqualTo(PathArguments.Kind.LOCAL);
        assertThat(PathArguments.of("get", commands.get("get").getCommandSpec().findOption("-i")))
                .isEqualTo(PathArguments.Kind.LOCAL);
        assertThat(PathArguments.ofPositionals("put")).isEqualTo(PathArguments.Kind.LOCAL);
        for (String remote : List.of("ls", "stat", "rm", "mkdir", "mv")) {
            assertThat(PathArguments.ofPositionals(remote)).as(remote).isEqualTo(PathArguments.Kind.REMOTE);
        }
        assertThat(PathArguments.of(
                        "serve", commands.get("serve").getCommandSpec().findOption("--root")))
                .isEqualTo(PathArguments.Kind.LOCAL_DIR);
        assertThat(PathArguments.of(
                        "user add", commands.get("user add").getCommandSpec().findOption("--users")))
                .isEqualTo(PathArguments.Kind.LOCAL);
    }
}
