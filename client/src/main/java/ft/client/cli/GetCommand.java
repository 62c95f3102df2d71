package ft.client.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.LocalIoException;
import ft.client.ResumableDownload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ft get REMOTE [-o LOCAL]}. */
@Command(name = "get",
        description = {"Download a file, verify its MD5, and put it in place atomically.",
                "An interrupted download resumes when the same command runs again."},
        footer = {"", "Examples:",
                "  ft get a.txt                    download to ./a.txt",
                "  ft get logs/app.log -o /tmp/    download to /tmp/app.log",
                "  ft -s 127.0.0.1:9000 get big.iso -o copy.iso",
                "", "Prints '<md5>  <local path>' on success, like md5sum."})
final class GetCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REMOTE", description = "Path of the file on the server.")
    String remote;

    @Option(names = {"-o", "--output"}, paramLabel = "LOCAL",
            description = "Where to write: a file name, or a directory (existing, or ending in '/').")
    String output;

    @Option(names = "--no-resume", description = "Ignore any partial download and start from the first byte.")
    boolean noResume;

    @Override
    public Integer call() throws FtException {
        try (FtClient client = FtClient.connect(ft.serverAddress(), ft.timeout())) {
            Path target = target();
            ResumableDownload.Result result = new ResumableDownload(client, !noResume,
                    Notes.choose(ft, spec.commandLine().getErr())).download(remote, target);
            spec.commandLine().getOut().println(result.md5() + "  " + result.target());
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("get " + remote, e);
        }
    }

    private Path target() throws FtException {
        String base = baseName(remote);
        if (output == null) {
            return Path.of(base);
        }
        Path out = Path.of(output);
        if (output.endsWith("/")) {
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new LocalIoException("cannot create directory " + out + ": " + e.getMessage(), e);
            }
            return out.resolve(base);
        }
        return Files.isDirectory(out) ? out.resolve(base) : out;
    }

    private String baseName(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        if (base.isEmpty() || base.equals(".") || base.equals("..")) {
            throw new ParameterException(spec.commandLine(), "REMOTE '" + path + "' does not name a file");
        }
        return base;
    }
}
