package ft.client.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.ResumableUpload;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ft put LOCAL [REMOTE]}. */
@Command(name = "put",
        description = {"Upload a file; the server verifies its MD5 before it appears under its name.",
                "An interrupted upload resumes when the same command runs again."},
        footer = {"", "Examples:",
                "  ft put big.iso                  upload as big.iso in the served root",
                "  ft put big.iso isos/            upload as isos/big.iso",
                "  ft put report.pdf q3/final.pdf  upload under another name",
                "", "Prints '<md5>  <remote path>' on success, the MD5 the server verified."})
final class PutCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LOCAL", description = "The file to upload.")
    Path local;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REMOTE",
            description = "Destination on the server; ending in '/' means inside that directory "
                    + "(default: LOCAL's file name).")
    String remote;

    @Override
    public Integer call() throws FtException {
        String name = local.getFileName() == null ? "" : local.getFileName().toString();
        String destination = remote == null ? name : remote.endsWith("/") ? remote + name : remote;
        try (FtClient client = FtClient.connect(ft.serverAddress(), ft.timeout())) {
            ResumableUpload.Result result = new ResumableUpload(client, Notes.choose(ft, spec.commandLine().getErr()))
                    .upload(local, destination);
            spec.commandLine().getOut().println(result.md5() + "  " + result.remotePath());
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("put " + local, e);
        }
    }
}
