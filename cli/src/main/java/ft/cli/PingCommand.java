package ft.cli;

import ft.client.FtException;
import ft.client.Pinger;
import ft.protocol.HostPort;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ft ping [-c N]}. */
@Command(
        name = "ping",
        description = {
            "Check that a server answers, over UDP on its TCP port: round-trip time,",
            "and how far its clock is from ours."
        },
        footer = {
            "",
            "Examples:",
            "  ft ping                         4 pings to the server",
            "  ft -s 127.0.0.1:9000 ping -c 10",
            "  ft --timeout 2 ping -c 1        one ping, give up after 2 seconds",
            "",
            "Prints e.g. '127.0.0.1:7070: 4/4 replies, rtt min 0.21 ms median 0.30 ms,",
            "clock offset +3 ms': the offset is the server's clock minus ours, taken from",
            "the fastest reply. Exit 3 only if no reply arrives; --timeout is per ping."
        })
final class PingCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Mixin
    ServerOptions options;

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-c", "--count"},
            paramLabel = "N",
            defaultValue = "4",
            description = "Number of pings to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() throws FtException {
        if (count < 1) {
            throw new ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        HostPort server = ft.serverAddress();
        Duration timeout = ft.timeout();
        try {
            Pinger.Result result = Pinger.ping(server, count, timeout);
            spec.commandLine()
                    .getOut()
                    .println(server + ": " + result.received() + "/" + result.sent()
                            + " replies, rtt min " + millis(result.minRtt()) + " median " + millis(result.medianRtt())
                            + ", clock offset " + String.format(Locale.ROOT, "%+d ms", result.clockOffsetMillis()));
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("ping " + server, e);
        }
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.2f ms", d.toNanos() / 1e6);
    }
}
