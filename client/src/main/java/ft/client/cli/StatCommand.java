package ft.client.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ft.client.FtClient;
import ft.client.FtException;
import ft.protocol.Response;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ft stat PATH}. */
@Command(name = "stat",
        description = "Show a remote file's type, size, modification time and the server's MD5.",
        footer = {"", "Examples:",
                "  ft stat big.iso",
                "  ft stat --json big.iso | jq -r .md5"})
final class StatCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "File or directory on the server.")
    String path;

    @Option(names = "--json", description = "One JSON object: name, type, size, mtime, md5.")
    boolean json;

    @Override
    public Integer call() throws FtException {
        try (FtClient client = ft.connect()) {
            Response.StatOk stat = client.stat(path);
            PrintWriter out = spec.commandLine().getOut();
            String mtime = Instant.ofEpochMilli(stat.mtime()).toString();
            if (json) {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("path", path);
                o.put("type", stat.type().wire());
                o.put("size", stat.size());
                o.put("mtime", mtime);
                if (stat.md5() != null) {
                    o.put("md5", stat.md5().hex());
                }
                out.println(o);
            } else {
                out.println("path:  " + Terminal.safe(path));
                out.println("type:  " + stat.type().wire());
                out.println("size:  " + stat.size());
                out.println("mtime: " + mtime);
                if (stat.md5() != null) {
                    out.println("md5:   " + stat.md5());
                }
            }
            out.flush();
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("stat " + path, e);
        }
    }
}
