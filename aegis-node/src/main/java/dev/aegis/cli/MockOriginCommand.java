package dev.aegis.cli;

import dev.aegis.origin.MockOrigin;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aegis mock-origin}: runs the built-in mock origin until stopped. */
@Command(name = "mock-origin", mixinStandardHelpOptions = true,
        description = "Run the built-in mock origin (/, /1k, /16k, /64k, /bytes/{n}, /echo, /status/{code}, "
                + "/delay/{ms}, /cache/{s}, /health, /api/users, /api/products, /api/orders).")
final class MockOriginCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9000", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Override
    public Integer call() throws InterruptedException {
        MockOrigin origin;
        try {
            origin = MockOrigin.start(host, port);
        } catch (RuntimeException e) {
            System.err.println("aegis: cannot start the mock origin on " + host + ":" + port + ": " + RunCommand.rootMessage(e));
            return 1;
        }
        System.err.println("mock origin listening on " + host + ":" + origin.port());
        CountDownLatch stopped = new CountDownLatch(1);
        RunCommand.onStopSignal(() -> {
            origin.close();
            stopped.countDown();
        });
        stopped.await();
        return 0;
    }
}
