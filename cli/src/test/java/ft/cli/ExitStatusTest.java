package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ft.client.BadResponseException;
import ft.client.ChecksumException;
import ft.client.ConflictException;
import ft.client.ConnectionException;
import ft.client.FtException.Family;
import ft.client.InternalException;
import ft.client.LocalIoException;
import ft.client.RemoteException;
import ft.client.TrustException;
import ft.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The one table of exit statuses: complete for the protocol's error codes, right for each of the
 * client's failures, and the same as the README's "Exit codes" table, which scripts rely on.
 */
class ExitStatusTest {
    /** A row of the README's table: the status, its codes, and whether the list ends with "…". */
    private record Row(int code, Set<String> codes, Set<String> serverSide, boolean open) {}

    private static final Pattern ROW = Pattern.compile("^\\|\\s*(\\d+)\\s*\\|(.*)\\|(.*)\\|\\s*$");
    private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z_]+)`( \\(server side\\))?");
    private static final Pattern SENTENCE = Pattern.compile("exit (\\d+) with code `([A-Z_]+)`");

    @Test
    void everyRefusalOfTheProtocolHasExactlyOneStatus() {
        Map<ErrorCode, ExitStatus> seen = new EnumMap<>(ErrorCode.class);
        for (ExitStatus s : ExitStatus.values()) {
            for (ErrorCode e : s.refusals()) {
                assertThat(seen.put(e, s)).as(e + " is listed twice").isNull();
            }
        }
        // A new error code must be placed in the table on purpose, not fall to OTHER unseen.
        assertThat(seen.keySet()).containsExactlyInAnyOrder(ErrorCode.values());
    }

    /** The exit status of a failure, named in the message should it differ. */
    private static void assertExit(Throwable failure, int code) {
        assertThat(ExitStatus.of(failure).code()).as("%s", failure).isEqualTo(code);
    }

    @Test
    void theClientsFailuresExitAsTheReadmeSays() {
        assertExit(new ConnectionException(ConnectionException.TIMEOUT, "slow", null), 3);
        assertExit(new RemoteException(ErrorCode.NOT_FOUND, "gone"), 4);
        assertExit(new ChecksumException("damaged"), 5);
        assertExit(new RemoteException(ErrorCode.CHECKSUM_MISMATCH, "damaged"), 5);
        assertExit(new LocalIoException("cannot write", new IOException("EIO")), 6);
        assertExit(LocalIoException.noSpace("full"), 6);
        // The same code from the server's disk is the server's problem, not the caller's.
        assertExit(new RemoteException(ErrorCode.NO_SPACE, "full"), 1);
        assertExit(new RemoteException(ErrorCode.UNAUTHORIZED, "who?"), 7);
        assertExit(new TrustException(TrustException.CERTIFICATE_CHANGED, "changed"), 7);
        assertExit(new BadResponseException("garbled"), 1);
        assertExit(new ConflictException("there"), 1);
        assertExit(new InternalException(new IllegalStateException()), 1);
        assertThat(ExitStatus.of(Family.CALLER, "BAD_USERS_FILE")).isEqualTo(ExitStatus.USAGE);
        assertThat(ExitStatus.of(Family.LOCAL, "SOMETHING_NEW"))
                .as("unlisted codes")
                .isEqualTo(ExitStatus.OTHER);
    }

    @Test
    void picocliMapsUsageErrorsAndBugsThroughTheTable() {
        CommandLine cmd = new CommandLine(new FtCommand(Map.of()));
        assertThat(ExitStatus.MAPPER.getExitCode(new ParameterException(cmd, "bad")))
                .isEqualTo(2);
        assertThat(ExitStatus.MAPPER.getExitCode(new NullPointerException())).isEqualTo(1);
        assertThat(ExitStatus.MAPPER.getExitCode(
                        Failures.prefixed("get a", new RemoteException(ErrorCode.NOT_FOUND, "no such file"))))
                .as("a prefixed failure keeps its status")
                .isEqualTo(4);
    }

    @Test
    void theReadmeTableIsThisTable() throws IOException {
        List<String> lines = readmeExitCodes();
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                Set<String> codes = new LinkedHashSet<>();
                Set<String> serverSide = new LinkedHashSet<>();
                Matcher c = CODE.matcher(m.group(3));
                while (c.find()) {
                    (c.group(2) == null ? codes : serverSide).add(c.group(1));
                }
                rows.add(new Row(
                        Integer.parseInt(m.group(1)),
                        codes,
                        serverSide,
                        m.group(3).strip().endsWith("…")));
            }
        }
        assertThat(rows.stream().map(Row::code).toList())
                .as("the statuses the README lists, in order")
                .containsExactly(java.util.Arrays.stream(ExitStatus.values())
                        .map(ExitStatus::code)
                        .toArray(Integer[]::new));
        for (Row row : rows) {
            ExitStatus status = statusNumbered(row.code());
            Set<String> refusals =
                    new TreeSet<>(status.refusals().stream().map(Enum::name).toList());
            Set<String> covered = new TreeSet<>(status.codes());
            covered.addAll(refusals);
            assertThat(refusals).as("server-side codes of exit " + row.code()).containsAll(row.serverSide());
            Set<String> listed = new TreeSet<>(row.codes());
            listed.addAll(row.serverSide());
            if (row.open()) {
                assertThat(covered)
                        .as("codes of exit " + row.code() + " (the README lists some, then …)")
                        .containsAll(listed);
            } else {
                assertThat(listed).as("codes of exit " + row.code()).isEqualTo(covered);
            }
        }
        String text = String.join(" ", lines);
        Matcher m = SENTENCE.matcher(text);
        int sentences = 0;
        while (m.find()) {
            sentences++;
            assertThat(ExitStatus.of(Family.CALLER, m.group(2)).code())
                    .as(m.group())
                    .isEqualTo(Integer.parseInt(m.group(1)));
        }
        assertThat(sentences)
                .as("the README's 'exit N with code X' sentences were read")
                .isPositive();
    }

    @Test
    void theHelpOfFtNamesEveryStatus() {
        String footer = String.join(
                " ",
                new CommandLine(new FtCommand(Map.of()))
                        .getCommandSpec()
                        .usageMessage()
                        .footer());
        String codes = footer.substring(footer.indexOf("Exit codes:"));
        for (ExitStatus s : ExitStatus.values()) {
            assertThat(codes).as("ft --help's exit codes").containsPattern("[ :]" + s.code() + " [a-z]");
        }
    }

    private static ExitStatus statusNumbered(int code) {
        for (ExitStatus s : ExitStatus.values()) {
            if (s.code() == code) {
                return s;
            }
        }
        throw new AssertionError("the README lists exit " + code + ", which ExitStatus does not have");
    }

    /** The lines of the README's "Exit codes" section, up to the next heading. */
    private static List<String> readmeExitCodes() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("README.md above " + Path.of("").toAbsolutePath()).isNotNull();
        List<String> all = Files.readAllLines(dir.resolve("README.md"));
        int start = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).matches("#+ Exit codes\\s*")) {
                start = i + 1;
                break;
            }
        }
        assertThat(start)
                .as("a heading 'Exit codes' in " + dir.resolve("README.md"))
                .isPositive();
        int end = start;
        while (end < all.size() && !all.get(end).startsWith("#")) {
            end++;
        }
        return all.subList(start, end);
    }
}
