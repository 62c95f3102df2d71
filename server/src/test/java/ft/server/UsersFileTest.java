package ft.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The users file: what it stores, what it never stores, and what it refuses. */
class UsersFileTest {
    @TempDir
    Path tmp;

    private static String secretOf(String token) {
        return token.substring(token.indexOf('.') + 1);
    }

    @Test
    void roundTripKeepsEveryUserWithSaltHashIterationsFlagAndRoot() throws IOException {
        Users.Added alice = Users.empty().add("alice", false, "alice", false);
        Users.Added bob = alice.users().add("bob", true, tmp.resolve("bob").toString(), false);
        Users.Added carol = bob.users().add("carol-2_x", false, null, false);
        Path file = tmp.resolve("users.jsonl");
        carol.users().save(file);

        Users loaded = Users.load(file);
        assertEquals(carol.users().list(), loaded.list());
        assertEquals(
                List.of("alice", "bob", "carol-2_x"),
                loaded.list().stream().map(Users.User::name).toList());
        Users.User b = loaded.find("bob");
        assertTrue(b.readOnly());
        assertEquals(tmp.resolve("bob").toString(), b.root());
        assertNull(loaded.find("carol-2_x").root());
        for (Users.User u : loaded.list()) {
            assertEquals(Tokens.DEFAULT_ITERATIONS, u.iterations());
            assertEquals(16, u.salt().length);
            assertEquals(32, u.hash().length);
        }
        String text = Files.readString(file);
        assertTrue(text.contains("\"iterations\":" + Tokens.DEFAULT_ITERATIONS), text);
        assertTrue(text.contains("\"kdf\":\"PBKDF2WithHmacSHA256\""), text);
    }

    @Test
    void fileHoldsNoSecretOnlyASaltedHashThatVerifiesIt() throws IOException {
        Users.Added alice = Users.empty().add("alice", false, null, false);
        Path file = tmp.resolve("users.jsonl");
        alice.users().save(file);
        String secret = secretOf(alice.token());
        String text = Files.readString(file);
        assertFalse(text.contains(secret), "the secret must not be stored");
        Users.User stored = Users.load(file).find("alice");
        assertFalse(Arrays.equals(secret.getBytes(StandardCharsets.UTF_8), stored.hash()));
        assertTrue(stored.verifies(secret));
        assertFalse(stored.verifies(secret + "x"));
        assertFalse(stored.verifies(""));
    }

    @Test
    void tokenIsTheNameADotAnd32RandomBytesInBase64Url() {
        Users.Added a = Users.empty().add("alice", false, null, false);
        assertTrue(a.token().startsWith("alice."));
        String secret = secretOf(a.token());
        assertEquals(43, secret.length(), secret);
        assertEquals(32, Base64.getUrlDecoder().decode(secret).length);
        assertFalse(a.toString().contains(secret), "toString must not show the token");
        assertFalse(a.user()
                .toString()
                .contains(Base64.getEncoder().encodeToString(a.user().hash())));
    }

    @Test
    void saltsAndTokensDifferBetweenUsersEvenForTheSameName() {
        Users.Added first = Users.empty().add("alice", false, null, false);
        Users.Added second = first.users().add("bob", false, null, false);
        Users.Added again = Users.empty().add("alice", false, null, false);
        assertFalse(Arrays.equals(first.user().salt(), second.user().salt()));
        assertFalse(Arrays.equals(first.user().salt(), again.user().salt()));
        assertFalse(first.token().equals(again.token()));
    }

    @Test
    void existingNameIsRefusedUnlessReplacedAndReplacingInvalidatesTheOldToken() {
        Users.Added first = Users.empty().add("alice", false, null, false);
        assertThrows(IllegalStateException.class, () -> first.users().add("alice", true, null, false));
        Users.Added replaced = first.users().add("alice", true, null, true);
        assertEquals(1, replaced.users().size());
        Users.User now = replaced.users().find("alice");
        assertTrue(now.readOnly());
        assertFalse(now.verifies(secretOf(first.token())));
        assertTrue(now.verifies(secretOf(replaced.token())));
    }

    @Test
    void removeDropsOnlyThatUser() {
        Users.Added two = Users.empty().add("alice", false, null, false).users().add("bob", false, null, false);
        Users left = two.users().remove("alice");
        assertNull(left.find("alice"));
        assertNotNull(left.find("bob"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "al ice",
                "a.b",
                "a/b",
                "ünï",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            })
    void invalidNamesAreRefused(String name) {
        assertThrows(IllegalArgumentException.class, () -> Users.empty().add(name, false, null, false));
    }

    @Test
    void longestValidNameIsAccepted() {
        assertNotNull(Users.empty().add("x".repeat(64), false, null, false).user());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc", "a/../../b", "./a", "a//b", ".ft", ".ft/partials", "a\\b", ""})
    void relativeRootsThatAreNotPlainSubDirectoriesAreRefused(String root) {
        assertThrows(IllegalArgumentException.class, () -> Users.empty().add("alice", false, root, false));
    }

    @Test
    void savedFileIsReadableByItsOwnerOnly() throws IOException {
        Assumptions.assumeTrue(
                FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path file = tmp.resolve("users.jsonl");
        Users.empty().add("alice", false, null, false).users().save(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        // Rewriting keeps it private and leaves no temporary file behind.
        Users.load(file).add("bob", false, null, false).users().save(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void missingFileIsAnErrorButLoadOrEmptyStartsANewList() throws IOException {
        Path file = tmp.resolve("none.jsonl");
        assertThrows(IOException.class, () -> Users.load(file));
        assertEquals(0, Users.loadOrEmpty(file).size());
    }

    @Test
    void blankLinesAreIgnored() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        Users.empty().add("alice", false, null, false).users().save(file);
        Files.writeString(file, "\n" + Files.readString(file) + "\n\n");
        assertEquals(1, Users.load(file).size());
    }

    private Path withLine(String line) throws IOException {
        return Files.writeString(tmp.resolve("users.jsonl"), line + "\n");
    }

    private static String line(String name, int iterations, byte[] salt, byte[] hash, String extra) {
        return "{\"name\":\"" + name + "\",\"kdf\":\"PBKDF2WithHmacSHA256\",\"iterations\":" + iterations
                + ",\"salt\":\"" + Base64.getEncoder().encodeToString(salt) + "\",\"hash\":\""
                + Base64.getEncoder().encodeToString(hash) + "\",\"read_only\":false" + extra + "}";
    }

    @Test
    void malformedEntriesAreRefusedNamingTheLine() throws IOException {
        byte[] salt = new byte[16];
        byte[] hash = new byte[32];
        String good = line("alice", Tokens.DEFAULT_ITERATIONS, salt, hash, "");
        assertEquals(1, Users.load(withLine(good)).size());

        List<String> bad = List.of(
                "not json",
                "[1,2]",
                good + "\n" + good, // the same user twice
                line("alice", 1_000, salt, hash, ""), // too few iterations
                line("alice", Tokens.DEFAULT_ITERATIONS, new byte[8], hash, ""), // short salt
                line("alice", Tokens.DEFAULT_ITERATIONS, salt, new byte[16], ""), // wrong hash length
                line("alice", Tokens.DEFAULT_ITERATIONS, salt, hash, ",\"secret\":\"x\""), // unknown field
                line("alice", Tokens.DEFAULT_ITERATIONS, salt, hash, ",\"root\":\"../up\""),
                line("al ice", Tokens.DEFAULT_ITERATIONS, salt, hash, ""),
                good.replace("PBKDF2WithHmacSHA256", "MD5"));
        for (String text : bad) {
            Path file = withLine(text);
            Users.BadUsersFileException e =
                    assertThrows(Users.BadUsersFileException.class, () -> Users.load(file), text);
            assertTrue(e.getMessage().startsWith(file + ":"), e.getMessage());
        }
    }

    @Test
    void higherIterationCountsFromTheFileAreUsed() throws IOException {
        // A user whose iterations were raised later still verifies with the stored count.
        byte[] salt = new byte[16];
        Arrays.fill(salt, (byte) 7);
        byte[] hash = Tokens.derive("s3cret", salt, Tokens.DEFAULT_ITERATIONS + 1);
        Users.User u = Users.load(withLine(line("old", Tokens.DEFAULT_ITERATIONS + 1, salt, hash, "")))
                .find("old");
        assertEquals(Tokens.DEFAULT_ITERATIONS + 1, u.iterations());
        assertTrue(u.verifies("s3cret"));
        assertArrayEquals(hash, u.hash());
    }
}
