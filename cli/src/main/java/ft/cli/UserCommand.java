package ft.cli;

import ft.client.FtException;
import ft.client.FtException.Family;
import ft.server.*;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ft user add|list|remove}: manage the users file of {@code ft serve --users}. */
@Command(
        name = "user",
        description = {
            "Manage the users of 'ft serve --users FILE'.",
            "The file keeps, per user, a salted PBKDF2 hash of their secret (never the",
            "secret), a read-only flag and a root. A running server re-reads it when it changes."
        },
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Remove.class},
        footer = {
            "",
            "Examples:",
            "  ft user add alice --users users.jsonl --root alice   sees <served root>/alice",
            "  ft user add ci --users users.jsonl --read-only       reads the whole root",
            "  ft user add bob --users users.jsonl --root /srv/bob  any directory",
            "  ft user list --users users.jsonl",
            "  ft user remove bob --users users.jsonl",
            "",
            "The token is printed once, on stdout; the client reads it from FT_TOKEN or the",
            "'token' key of its config file."
        })
public final class UserCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand: add, list or remove");
    }

    /** What every {@code ft user} subcommand has: its spec and {@code -h, --help}. */
    abstract static class Subcommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;
    }

    /** Reads the file for a change; a failure ends the command with its code. */
    private static Users read(Path file, boolean mayBeMissing, String op) throws FtException {
        try {
            return mayBeMissing ? Users.loadOrEmpty(file) : Users.load(file);
        } catch (Users.BadUsersFileException e) {
            throw Failures.of("BAD_USERS_FILE", Family.CALLER, "user " + op + ": " + e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw Failures.of("LOCAL_IO", Family.LOCAL, "user " + op + ": " + file + ": no such file");
        } catch (IOException e) {
            throw Failures.of("LOCAL_IO", Family.LOCAL, "user " + op + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void write(Users users, Path file, String op) throws FtException {
        try {
            users.save(file);
        } catch (IOException e) {
            throw Failures.of(
                    "LOCAL_IO", Family.LOCAL, "user " + op + ": cannot write " + file + ": " + e.getMessage());
        }
    }

    /** {@code ft user add NAME --users FILE [--[no-]read-only] [--root DIR] [--replace]}. */
    @Command(
            name = "add",
            description = {
                "Add a user with a fresh random token and print the token once on stdout.",
                "Only a salted hash of it is stored: a lost token cannot be recovered, only",
                "replaced (--replace)."
            },
            footer = {
                "",
                "Examples:",
                "  ft user add alice --users users.jsonl --root alice > alice.token",
                "  ft user add ci --users users.jsonl --read-only",
                "  ft user add alice --users users.jsonl --replace       new token, same root and access",
                "  ft user add ci --users users.jsonl --replace --no-read-only --root .",
                "",
                "Give the token to the user: 'export FT_TOKEN=...' or 'token = ...' in",
                "~/.config/ft/config (chmod 600). Exit 1 (EXISTS) if the name is taken without --replace."
            })
    static final class Add extends Subcommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "1 to 64 of A-Z a-z 0-9 _ -.")
        String name;

        @Option(
                names = "--users",
                paramLabel = "FILE",
                required = true,
                description = "The users file; created (mode 0600) if missing.")
        Path file;

        /** Null when not given: a new user is then read-write, a replaced one keeps its flag. */
        @Option(
                names = "--read-only",
                negatable = true,
                description = "The user may get, stat, ls and find, but not change anything; --no-read-only lets "
                        + "them change files again (default: read-write, or unchanged with --replace).")
        Boolean readOnly;

        /** Null when not given: a new user then sees the served root, a replaced one keeps its root. */
        @Option(
                names = "--root",
                paramLabel = "DIR",
                description = "The user's root: relative = a sub-directory of the served root, absolute = any "
                        + "directory, '.' = the served root itself; created when the user first connects "
                        + "(default: the served root, or unchanged with --replace).")
        String root;

        @Option(
                names = "--replace",
                description = "Give an existing user of this name a new token (the old one stops working); their "
                        + "root and read-only flag stay unless given here.")
        boolean replace;

        @Override
        public Integer call() throws FtException {
            PrintWriter err = spec.commandLine().getErr();
            if (!Users.isValidName(name)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "'" + AccessLog.printable(name) + "' is not a valid user name: use 1 to 64 of A-Z a-z 0-9 _ -");
            }
            String normalized = normalizeRoot();
            Users users = read(file, true, "add");
            Users.User existing = users.find(name);
            if (existing != null && !replace) {
                throw Failures.of(
                        "EXISTS",
                        Family.CALLER,
                        "user add: user '" + name + "' already exists in " + file
                                + "; pass --replace to give it a new token");
            }
            // Rotating a token must never widen (or narrow) access by accident: what is not
            // given on this command line stays as the file says.
            boolean resultReadOnly = readOnly != null ? readOnly : existing != null && existing.readOnly();
            String resultRoot = root != null ? normalized : existing == null ? null : existing.root();
            Users.Added added = users.add(name, resultReadOnly, resultRoot, replace);
            write(added.users(), file, "add");
            PrintWriter out = spec.commandLine().getOut();
            out.println(added.token());
            out.flush();
            err.println("ft: user " + name + (existing != null ? " replaced" : " added")
                    + " (" + (resultReadOnly ? "read-only" : "read-write") + ", root: "
                    + (resultRoot == null ? "the served root" : resultRoot) + "). The token above is shown "
                    + "only this once: give it to the user, who sets it as FT_TOKEN or 'token' in the ft "
                    + "config file.");
            return ExitStatus.SUCCESS.code();
        }

        /**
         * The root as stored: absolute as given (normalised), relative with '/' and no '.' parts,
         * null for the served root itself ({@code .}) and when none is given.
         */
        private String normalizeRoot() {
            if (root == null) {
                return null;
            }
            try {
                Path p = Path.of(root).normalize();
                String text = p.isAbsolute()
                        ? p.toString()
                        : p.toString().replace(p.getFileSystem().getSeparator(), "/");
                if (text.isEmpty() && !root.isEmpty()) {
                    return null; // '.', './': the served root, stored as no root at all
                }
                Users.checkRoot(text);
                return text;
            } catch (IllegalArgumentException e) { // InvalidPathException too
                throw new ParameterException(
                        spec.commandLine(), "bad --root '" + AccessLog.printable(root) + "': " + e.getMessage());
            }
        }
    }

    /** {@code ft user list --users FILE}. */
    @Command(
            name = "list",
            description = "List the users: name, access and root (never hashes or tokens).",
            footer = {"", "Example:", "  ft user list --users users.jsonl"})
    static final class ListUsers extends Subcommand {
        @Option(names = "--users", paramLabel = "FILE", required = true, description = "The users file.")
        Path file;

        @Override
        public Integer call() throws FtException {
            Users users = read(file, false, "list");
            PrintWriter out = spec.commandLine().getOut();
            for (Users.User u : users.list()) {
                out.printf(
                        "%-20s %-10s %s%n",
                        u.name(),
                        u.readOnly() ? "read-only" : "read-write",
                        u.root() == null ? "(served root)" : u.root());
            }
            out.flush();
            return ExitStatus.SUCCESS.code();
        }
    }

    /** {@code ft user remove NAME --users FILE}. */
    @Command(
            name = "remove",
            aliases = "rm",
            description = "Remove a user; a running server refuses their token from the next connection on.",
            footer = {
                "",
                "Example:",
                "  ft user remove bob --users users.jsonl",
                "",
                "Exit 4 (NOT_FOUND) if there is no such user."
            })
    static final class Remove extends Subcommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The user to remove.")
        String name;

        @Option(names = "--users", paramLabel = "FILE", required = true, description = "The users file.")
        Path file;

        @Override
        public Integer call() throws FtException {
            Users users = read(file, false, "remove");
            if (users.find(name) == null) {
                // NOT_FOUND like every one of ft, so scripts can tell it from a failure.
                throw Failures.of(
                        "NOT_FOUND",
                        Family.CALLER,
                        "user remove: no user '" + AccessLog.printable(name) + "' in " + file);
            }
            write(users.remove(name), file, "remove");
            spec.commandLine().getErr().println("ft: user " + name + " removed");
            return ExitStatus.SUCCESS.code();
        }
    }
}
