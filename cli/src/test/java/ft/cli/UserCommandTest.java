package ft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.server.*;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ft user add|list|remove} run in-process. */
class UserCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private Run user(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // Through Main, as the jar runs it: failures exit through ExitStatus's table.
        String[] line = new String[args.length + 1];
        line[0] = "user";
        System.arraycopy(args, 0, line, 1, args.length);
        int exit = Main.run(line, new PrintWriter(out), new PrintWriter(err), Map.of("HOME", tmp.toString()));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void addPrintsTheTokenOnceAndTheFileHoldsNoSecret() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        Run r = user("add", "alice", "--users", file.toString(), "--root", "alice");
        assertEquals(0, r.exit(), r.err());
        String token = r.out().strip();
        assertTrue(token.matches("alice\\.[A-Za-z0-9_-]{43}"), token);
        assertEquals(token + System.lineSeparator(), r.out(), "stdout holds the token and nothing else");
        String secret = token.substring("alice.".length());
        assertFalse(r.err().contains(secret), "the token is printed once, on stdout only");
        String text = Files.readString(file);
        assertFalse(text.contains(secret), "the users file must not hold the secret");
        assertTrue(Users.load(file).find("alice").verifies(secret));
        assertEquals("alice", Users.load(file).find("alice").root());
    }

    @Test
    void addingAnExistingNameIsExistsUnlessReplace() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        String first = user("add", "alice", "--users", file.toString()).out().strip();
        Run again = user("add", "alice", "--users", file.toString(), "--read-only");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("(EXISTS)"), again.err());
        assertEquals("", again.out());
        assertFalse(Users.load(file).find("alice").readOnly(), "a refused add changes nothing");

        Run replaced = user("add", "alice", "--users", file.toString(), "--read-only", "--replace");
        assertEquals(0, replaced.exit(), replaced.err());
        assertNotEquals(first, replaced.out().strip());
        Users.User now = Users.load(file).find("alice");
        assertTrue(now.readOnly());
        assertFalse(now.verifies(first.substring("alice.".length())), "the old token no longer works");
    }

    @Test
    void replaceRotatesOnlyTheTokenAndKeepsRootAndReadOnly() throws Exception {
        Path file = tmp.resolve("users.jsonl");
        String old = user("add", "alice", "--users", file.toString(), "--root", "alice", "--read-only")
                .out()
                .strip();

        Run rotated = user("add", "alice", "--users", file.toString(), "--replace");

        assertEquals(0, rotated.exit(), rotated.err());
        String fresh = rotated.out().strip();
        Users.User now = Users.load(file).find("alice");
        assertTrue(now.readOnly(), "rotating a token must not make the user read-write");
        assertEquals("alice", now.root(), "rotating a token must not widen the user's root");
        assertTrue(rotated.err().contains("replaced (read-only, root: alice)"), rotated.err());
        try (Authenticator auth = new Authenticator(file)) {
            InetAddress local = InetAddress.getLoopbackAddress();
            Authenticator.Result ok = auth.authenticate(local, fresh);
            assertTrue(ok.ok(), "the new token authenticates");
            assertTrue(ok.user().readOnly());
            assertEquals("alice", ok.user().root());
            assertFalse(auth.authenticate(local, old).ok(), "the old token no longer does");
        }
    }

    @Test
    void replaceChangesOnlyWhatIsGivenExplicitly() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        user("add", "alice", "--users", file.toString(), "--root", "alice", "--read-only");

        Run writable = user("add", "alice", "--users", file.toString(), "--replace", "--no-read-only");
        assertEquals(0, writable.exit(), writable.err());
        assertFalse(Users.load(file).find("alice").readOnly());
        assertEquals("alice", Users.load(file).find("alice").root(), "--no-read-only leaves the root alone");
        assertTrue(writable.err().contains("(read-write, root: alice)"), writable.err());

        Run whole = user("add", "alice", "--users", file.toString(), "--replace", "--root", ".");
        assertEquals(0, whole.exit(), whole.err());
        assertNull(Users.load(file).find("alice").root(), "'--root .' means the served root, stored as no root");
        assertFalse(Users.load(file).find("alice").readOnly(), "--root leaves the flag alone");
        assertTrue(whole.err().contains("(read-write, root: the served root)"), whole.err());

        Run again = user("add", "alice", "--users", file.toString(), "--replace", "--read-only", "--root", "a/b");
        assertEquals(0, again.exit(), again.err());
        assertTrue(Users.load(file).find("alice").readOnly());
        assertEquals("a/b", Users.load(file).find("alice").root());
    }

    @Test
    void noReadOnlyAndDotRootOnANewUserAreTheDefaults() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        Run r = user("add", "bob", "--users", file.toString(), "--no-read-only", "--root", "./");
        assertEquals(0, r.exit(), r.err());
        assertFalse(Users.load(file).find("bob").readOnly());
        assertNull(Users.load(file).find("bob").root());
        assertTrue(r.err().contains("bob added (read-write, root: the served root)"), r.err());
    }

    @Test
    void badNamesAndRootsAreUsageErrors() {
        Path file = tmp.resolve("users.jsonl");
        assertEquals(2, user("add", "bad name", "--users", file.toString()).exit());
        assertEquals(
                2,
                user("add", "alice", "--users", file.toString(), "--root", "../up")
                        .exit());
        assertEquals(2, user("add", "alice").exit(), "--users is required");
        assertFalse(Files.exists(file));
    }

    @Test
    void relativeRootIsStoredNormalised() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        assertEquals(
                0,
                user("add", "alice", "--users", file.toString(), "--root", "./homes/alice/")
                        .exit());
        assertEquals("homes/alice", Users.load(file).find("alice").root());
    }

    @Test
    void listShowsNamesAccessAndRootsButNoHashes() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        user("add", "alice", "--users", file.toString(), "--root", "alice");
        user("add", "ci", "--users", file.toString(), "--read-only");
        Run list = user("list", "--users", file.toString());
        assertEquals(0, list.exit(), list.err());
        String[] lines = list.out().strip().split("\\R");
        assertEquals(2, lines.length, list.out());
        assertTrue(lines[0].matches("alice\\s+read-write\\s+alice"), lines[0]);
        assertTrue(lines[1].matches("ci\\s+read-only\\s+\\(served root\\)"), lines[1]);
        for (Users.User u : Users.load(file).list()) {
            assertFalse(list.out().contains(java.util.Base64.getEncoder().encodeToString(u.hash())));
        }
    }

    @Test
    void removeDeletesTheUserAndUnknownNamesAreNotFound() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        user("add", "alice", "--users", file.toString());
        user("add", "bob", "--users", file.toString());
        Run rm = user("remove", "alice", "--users", file.toString());
        assertEquals(0, rm.exit(), rm.err());
        assertEquals(null, Users.load(file).find("alice"));
        Run missing = user("remove", "alice", "--users", file.toString());
        assertEquals(4, missing.exit(), "NOT_FOUND exits 4 everywhere in ft");
        assertTrue(missing.err().contains("(NOT_FOUND)"), missing.err());
    }

    @Test
    void brokenUsersFileIsReportedNotOverwritten() throws IOException {
        Path file = Files.writeString(tmp.resolve("users.jsonl"), "garbage\n");
        Run r = user("add", "alice", "--users", file.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("(BAD_USERS_FILE)"), r.err());
        assertEquals("garbage\n", Files.readString(file));
    }

    @Test
    void userWithoutSubcommandIsAUsageError() {
        assertEquals(2, user().exit());
    }
}
