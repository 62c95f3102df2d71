package ft.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * ft's completion script for bash and zsh: the shell code in {@code completion.bash} (beside
 * this class) with its {@code _ft_tree_*} functions generated here from the live command tree,
 * so a new subcommand or option completes without edits. Which arguments are local or remote
 * paths comes from {@link PathArguments}.
 */
final class CompletionScript {
    private static final String TEMPLATE = "completion.bash";
    private static final String TREE_MARK = "@TREE@";

    private CompletionScript() {}

    /** One command of the tree: its path ("" for ft itself, "user add"), model and visible subcommands. */
    private record Node(String path, CommandSpec spec, List<CommandLine> children) {}

    static String generate(CommandLine root) {
        List<Node> nodes = new ArrayList<>();
        walk(root, "", nodes);
        String tree = String.join("\n", child(nodes), subcommands(nodes), options(nodes), valued(nodes), kinds(nodes));
        return template().replace(TREE_MARK, tree);
    }

    private static void walk(CommandLine command, String path, List<Node> into) {
        // The subcommand map holds each command under its name and each alias.
        Set<CommandLine> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<CommandLine> children = new ArrayList<>();
        for (CommandLine sub : command.getSubcommands().values()) {
            if (seen.add(sub) && !sub.getCommandSpec().usageMessage().hidden()) {
                children.add(sub);
            }
        }
        into.add(new Node(path, command.getCommandSpec(), children));
        for (CommandLine sub : children) {
            walk(sub, path.isEmpty() ? sub.getCommandName() : path + " " + sub.getCommandName(), into);
        }
    }

    private static String child(List<Node> nodes) {
        StringBuilder s = new StringBuilder(
                "# _ft_tree_child PATH WORD: sets REPLY to the path of the subcommand WORD of PATH; false if none.\n"
                        + "_ft_tree_child() {\n  case \"$1>$2\" in\n");
        for (Node node : nodes) {
            for (CommandLine sub : node.children()) {
                String subPath =
                        node.path().isEmpty() ? sub.getCommandName() : node.path() + " " + sub.getCommandName();
                List<String> keys = new ArrayList<>();
                keys.add(quote(node.path() + ">" + sub.getCommandName()));
                for (String alias : sub.getCommandSpec().aliases()) {
                    keys.add(quote(node.path() + ">" + alias));
                }
                arm(s, String.join(" | ", keys), "REPLY=" + quote(subPath));
            }
        }
        return s.append("    *) return 1 ;;\n  esac\n}\n").toString();
    }

    /** One arm of a shell case statement: {@code     PATTERN) ACTION ;;}. */
    private static void arm(StringBuilder s, String pattern, String action) {
        s.append("    ").append(pattern).append(") ").append(action).append(" ;;\n");
    }

    private static String subcommands(List<Node> nodes) {
        StringBuilder s = new StringBuilder("# _ft_tree_subcommands PATH: sets _ft_list to the subcommands of PATH.\n"
                + "_ft_tree_subcommands() {\n  case $1 in\n");
        for (Node node : nodes) {
            if (!node.children().isEmpty()) {
                arm(
                        s,
                        quote(node.path()),
                        "_ft_list=("
                                + node.children().stream()
                                        .map(c -> quote(c.getCommandName()))
                                        .collect(Collectors.joining(" "))
                                + ")");
            }
        }
        return s.append("    *) _ft_list=() ;;\n  esac\n}\n").toString();
    }

    private static String options(List<Node> nodes) {
        StringBuilder s = new StringBuilder("# _ft_tree_options PATH: sets _ft_list to the options of PATH.\n"
                + "_ft_tree_options() {\n  case $1 in\n");
        for (Node node : nodes) {
            List<String> names = new ArrayList<>();
            for (OptionSpec option : visibleOptions(node.spec())) {
                for (String name : option.names()) {
                    names.add(quote(name));
                }
            }
            arm(s, quote(node.path()), "_ft_list=(" + String.join(" ", names) + ")");
        }
        return s.append("    *) _ft_list=() ;;\n  esac\n}\n").toString();
    }

    private static String valued(List<Node> nodes) {
        StringBuilder s = new StringBuilder("# _ft_tree_valued PATH OPTION: true when OPTION of PATH takes a value.\n"
                + "_ft_tree_valued() {\n  case \"$1>$2\" in\n");
        List<String> keys = new ArrayList<>();
        for (Node node : nodes) {
            for (OptionSpec option : visibleOptions(node.spec())) {
                if (option.arity().max() > 0) {
                    for (String name : option.names()) {
                        keys.add(quote(node.path() + ">" + name));
                    }
                }
            }
        }
        if (!keys.isEmpty()) {
            arm(s, String.join(" | ", keys), "return 0");
        }
        return s.append("  esac\n  return 1\n}\n").toString();
    }

    private static String kinds(List<Node> nodes) {
        StringBuilder s =
                new StringBuilder("# _ft_tree_kind PATH ARG: sets REPLY to how the values of ARG (an option of PATH,\n"
                        + "# or @ for its positional parameters) complete: local, local-dir, remote, remote-dir,\n"
                        + "# words:WORD..., or none.\n"
                        + "_ft_tree_kind() {\n  case \"$1>$2\" in\n");
        for (Node node : nodes) {
            for (OptionSpec option : visibleOptions(node.spec())) {
                if (option.arity().max() > 0) {
                    String kind = kind(PathArguments.of(node.path(), option), option.completionCandidates());
                    if (kind != null) {
                        List<String> keys = Arrays.stream(option.names())
                                .map(n -> quote(node.path() + ">" + n))
                                .toList();
                        arm(s, String.join(" | ", keys), "REPLY=" + quote(kind));
                    }
                }
            }
            Iterable<String> candidates = null;
            for (PositionalParamSpec positional : node.spec().positionalParameters()) {
                if (!positional.hidden() && candidates == null) {
                    candidates = positional.completionCandidates();
                }
            }
            String kind = kind(PathArguments.ofPositionals(node.path()), candidates);
            if (kind != null) {
                arm(s, quote(node.path() + ">" + PathArguments.POSITIONALS), "REPLY=" + quote(kind));
            }
        }
        return s.append("    *) REPLY=none ;;\n  esac\n}\n").toString();
    }

    /** The script's word for a kind, or an enum's values; null for nothing to complete. */
    private static String kind(PathArguments.Kind kind, Iterable<String> candidates) {
        if (kind != null) {
            return kind == PathArguments.Kind.NONE ? null : kind.word();
        }
        if (candidates == null || !candidates.iterator().hasNext()) {
            return null;
        }
        List<String> words = new ArrayList<>();
        candidates.forEach(words::add);
        return "words:" + String.join(" ", words);
    }

    private static List<OptionSpec> visibleOptions(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden()).toList();
    }

    /** {@code text} in single quotes for the shell. */
    static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private static String template() {
        try (InputStream in = CompletionScript.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
