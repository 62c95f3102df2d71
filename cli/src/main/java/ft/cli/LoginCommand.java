package ft.cli;

import ft.client.FtException;
import ft.client.LocalIoException;
import ft.client.ServerTokens;
import ft.protocol.HostPort;
import ft.protocol.Protocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ft login}: binds a token to one server in the tokens file ({@link ServerTokens}), so
 * that it is sent to that server and no other. Over TLS the server's certificate is checked
 * (and pinned on first contact) first, without sending the token: a later command then finds
 * the server known before it connects, which is when a token may go (see {@code TlsTrust}).
 */
@Command(
        name = "login",
        description = {
            "Bind a token to a server: it is saved in ~/.config/ft/tokens (private, 0600) and",
            "sent to that server only. The token is read from standard input (its first line),",
            "else from $FT_TOKEN. Over TLS the server's certificate is checked (or, new, pinned",
            "with --trust or a yes on the terminal) first; the token is not sent."
        },
        footer = {
            "",
            "Examples:",
            "  ft login -s tls://files.example:7070 --trust < alice.token",
            "  FT_TOKEN=$(cat alice.token) ft login -s 127.0.0.1:9000"
        })
final class LoginCommand extends ClientCommand {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws FtException {
        HostPort server = ft.serverAddress();
        String token = readToken();
        ft.pinServer();
        ServerTokens tokens = new ServerTokens(ServerTokens.defaultLocation(ft.env()));
        try {
            tokens.save(server, token);
        } catch (IOException e) {
            throw new LocalIoException("cannot save the token in " + tokens.file() + ": " + e.getMessage(), e);
        }
        spec.commandLine().getErr().println("ft: token for " + server + " saved in " + tokens.file());
        return 0;
    }

    private String readToken() {
        String line;
        try {
            line = new BufferedReader(new InputStreamReader(ft.stdin(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            line = null;
        }
        String token = line == null || line.isBlank() ? ft.env().get("FT_TOKEN") : line;
        if (token == null || token.isBlank()) {
            throw ft.usage("no token: give it on standard input (one line) or in FT_TOKEN");
        }
        token = token.strip();
        if (token.length() > Protocol.MAX_TOKEN_CHARS || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw ft.usage("that is not a token (printable ASCII without spaces, at most " + Protocol.MAX_TOKEN_CHARS
                    + " characters)");
        }
        return token;
    }
}
