package ft.cli;

import ft.client.FtException;
import ft.client.FtException.Family;
import ft.protocol.ErrorCode;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParameterException;

/**
 * The exit statuses of {@code ft}, each with the failure codes it covers: the one table every
 * command, client or server side, exits through (picocli consults {@link #MAPPER} for every
 * exception, and commands that count outcomes return {@link #code()}). The README's "Exit
 * codes" table is checked against this one by {@code ExitStatusReadmeTest}.
 *
 * <p>A failure's status follows from its stable code. A server's refusal ({@link
 * Family#REFUSAL}) is looked up among the protocol's {@link ErrorCode}s, anything else among the
 * client's own codes: {@code NO_SPACE} is a local disk that is full (6) or a server that is (1).
 * A code listed nowhere exits {@link #OTHER}.
 */
public enum ExitStatus {
    SUCCESS(0, Set.of(), Set.of()),
    /** The server refused for another reason or broke the protocol; ft's own bugs; a port in use. */
    OTHER(
            1,
            Set.of("BAD_RESPONSE", "INTERNAL", "EXISTS", "LISTEN_FAILED"),
            EnumSet.of(
                    ErrorCode.BUSY,
                    ErrorCode.NO_SPACE,
                    ErrorCode.IS_A_DIRECTORY,
                    ErrorCode.NOT_A_DIRECTORY,
                    ErrorCode.NOT_EMPTY,
                    ErrorCode.EXISTS,
                    ErrorCode.BAD_REQUEST,
                    ErrorCode.HEADER_TOO_LARGE,
                    ErrorCode.UNSUPPORTED_VERSION,
                    ErrorCode.TOO_LARGE,
                    ErrorCode.INTERNAL)),
    /**
     * A bad option, argument, config file, users file or certificate; an unsafe way to serve (an
     * address, a users file, or server state in the root that others could change).
     */
    USAGE(
            2,
            Set.of(
                    "BAD_CONFIG",
                    "BAD_USERS_FILE",
                    "BAD_CERTIFICATE",
                    "UNSAFE_LISTEN",
                    "UNSAFE_USERS_FILE",
                    "UNSAFE_STATE"),
            Set.of()),
    /**
     * Cannot connect, connection lost, timed out, TLS failed, not an ft server; {@code ft serve}'s
     * object store unreachable or refusing its credentials at start.
     */
    CONNECTION(
            3,
            Set.of("CONNECT_FAILED", "CONNECTION_LOST", "TIMEOUT", "TLS_FAILED", "NOT_FT_SERVER", "STORE_UNAVAILABLE"),
            Set.of()),
    /** The remote file (or the user of {@code ft user remove}) does not exist. */
    NOT_FOUND(4, Set.of("NOT_FOUND"), EnumSet.of(ErrorCode.NOT_FOUND)),
    CHECKSUM(5, Set.of("CHECKSUM_MISMATCH"), EnumSet.of(ErrorCode.CHECKSUM_MISMATCH)),
    /** The local disk: unreadable, unwritable, full. */
    LOCAL_IO(6, Set.of("LOCAL_IO", "NO_SPACE"), Set.of()),
    /** A path or change refused, a token missing or wrong, a TLS server not trusted. */
    ACCESS(
            7,
            Set.of("UNTRUSTED_SERVER", "CERTIFICATE_CHANGED", "TOKEN_WITHHELD"),
            EnumSet.of(ErrorCode.ACCESS_DENIED, ErrorCode.UNAUTHORIZED)),
    /** Some items of a batch (or paths of stat, rm, mkdir) failed and others did not. */
    PARTIAL(8, Set.of(), Set.of()),
    /** Ctrl-C; the JVM's own exit on SIGINT (128 + 2), listed so that the table is complete. */
    INTERRUPTED(130, Set.of(), Set.of());

    private static final Map<String, ExitStatus> BY_CODE = new HashMap<>();
    private static final Map<ErrorCode, ExitStatus> BY_REFUSAL = new HashMap<>();

    static {
        for (ExitStatus s : values()) {
            for (String code : s.codes) {
                if (BY_CODE.put(code, s) != null) {
                    throw new ExceptionInInitializerError("code " + code + " is in two exit statuses");
                }
            }
            for (ErrorCode refusal : s.refusals) {
                if (BY_REFUSAL.put(refusal, s) != null) {
                    throw new ExceptionInInitializerError("refusal " + refusal + " is in two exit statuses");
                }
            }
        }
    }

    /**
     * Picocli's exit-code mapper: a usage error exits {@link #USAGE}, an {@link FtException} by
     * its code, anything else (a bug) {@link #OTHER}.
     */
    public static final IExitCodeExceptionMapper MAPPER = e -> of(e).code();

    private final int code;
    private final Set<String> codes;
    private final Set<ErrorCode> refusals;

    ExitStatus(int code, Set<String> codes, Set<ErrorCode> refusals) {
        this.code = code;
        this.codes = codes;
        this.refusals = refusals;
    }

    /** The number the process exits with. */
    public int code() {
        return code;
    }

    /** The client's own failure codes (any family but {@link Family#REFUSAL}) that exit with this status. */
    public Set<String> codes() {
        return codes;
    }

    /** The server refusals that exit with this status. */
    public Set<ErrorCode> refusals() {
        return refusals;
    }

    /** The status a failure of {@code family} with stable code {@code code} exits with. */
    public static ExitStatus of(Family family, String code) {
        if (family == Family.REFUSAL) {
            return BY_REFUSAL.getOrDefault(ErrorCode.fromWire(code), OTHER);
        }
        return BY_CODE.getOrDefault(code, OTHER);
    }

    /** The status {@code failure} exits with. */
    public static ExitStatus of(FtException failure) {
        return of(failure.family(), failure.code());
    }

    /** The status any exception that ends a command exits with. */
    public static ExitStatus of(Throwable e) {
        if (e instanceof FtException ft) {
            return of(ft);
        }
        if (e instanceof ParameterException) {
            return USAGE;
        }
        return OTHER;
    }
}
