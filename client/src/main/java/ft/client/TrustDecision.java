package ft.client;

import ft.protocol.HostPort;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decides whether to trust a server met for the first time, whose certificate is neither
 * signed by a known authority nor remembered in known_servers. Called at most once per
 * connection, after the TLS handshake and before anything is sent to the server; never for
 * a server whose remembered certificate changed (that is always an error).
 */
@FunctionalInterface
public interface TrustDecision {
    /** @return true to trust {@code fingerprint} for {@code server} and remember it */
    boolean trustNew(HostPort server, String fingerprint);

    /** {@code --trust}: accept (and remember) a new server's certificate without asking. */
    static TrustDecision always() {
        return (server, fingerprint) -> true;
    }

    /** Scripts without {@code --trust}: a new server is an error. */
    static TrustDecision never() {
        return (server, fingerprint) -> false;
    }

    /**
     * Asks on the terminal, as ssh does, when there is one; otherwise {@link #never()}.
     * {@code knownServers} is only named in the question.
     */
    static TrustDecision onTerminal(Path knownServers) {
        Console console = System.console();
        if (console == null || !isTerminal(console)) {
            return never();
        }
        return ask(new BufferedReader(console.reader()), console.writer(), knownServers);
    }

    /**
     * Shows the fingerprint on {@code out} and reads the answer from {@code in}: {@code yes}
     * (or {@code y}, or the fingerprint itself pasted back) trusts; anything else, or the end
     * of the input, does not.
     */
    static TrustDecision ask(BufferedReader in, PrintWriter out, Path knownServers) {
        return (server, fingerprint) -> {
            out.println("The certificate of " + server + " is not known yet.");
            out.println("Its fingerprint is " + fingerprint + ".");
            out.println("Compare it with the one `ft serve` printed when it started.");
            out.print("Trust it and remember it in " + knownServers + "? (yes/no) ");
            out.flush();
            String answer;
            try {
                answer = in.readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null) {
                out.println();
                out.flush();
                return false;
            }
            String a = answer.strip();
            String lower = a.toLowerCase(Locale.ROOT);
            return lower.equals("yes") || lower.equals("y") || a.equals(fingerprint);
        };
    }

    /**
     * Whether the console is a real terminal. From JDK 22 {@code System.console()} exists
     * even when the streams are redirected and {@code Console.isTerminal()} tells; on JDK 21
     * a console exists only on a terminal.
     */
    private static boolean isTerminal(Console console) {
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
