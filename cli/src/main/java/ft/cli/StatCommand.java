package ft.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ft.protocol.Response;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ft stat PATH...}. */
@Command(
        name = "stat",
        description = "Show remote files' type, size, modification time and the server's MD5.",
        footer = {"", "Examples:", "  ft stat big.iso", "  ft stat a.txt b.txt", "  ft stat --json big.iso | jq -r .md5"
        })
final class StatCommand extends ClientCommand {
    @Mixin
    HelpOption help;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories on the server.")
    List<String> paths;

    @Option(
            names = "--json",
            description = "One JSON object per path and line: path, type, size, mtime and, for " + "files, md5.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean[] first = {true};
        return eachPath("stat", paths, false, (client, path) -> {
            Response.StatOk stat = client.stat(path.path());
            if (json) {
                out.println(json(path, stat));
            } else {
                if (!first[0]) {
                    out.println();
                }
                print(out, path, stat);
            }
            first[0] = false;
            out.flush();
        });
    }

    private static String json(RemotePath path, Response.StatOk stat) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("path", path.path());
        o.put("type", stat.type().wire());
        o.put("size", stat.size());
        o.put("mtime", Instant.ofEpochMilli(stat.mtime()).toString());
        if (stat.md5() != null) {
            o.put("md5", stat.md5().hex());
        }
        return o.toString();
    }

    private static void print(PrintWriter out, RemotePath path, Response.StatOk stat) {
        out.println("path:  " + Terminal.safe(path.path()));
        out.println("type:  " + stat.type().wire());
        out.println("size:  " + stat.size());
        out.println("mtime: " + Instant.ofEpochMilli(stat.mtime()));
        if (stat.md5() != null) {
            out.println("md5:   " + stat.md5());
        }
    }
}
