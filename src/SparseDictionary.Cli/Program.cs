using System.Runtime.InteropServices;
using SparseDictionary.Cli;
using SparseDictionary.Runtime;

// glibc malloc thresholds for LibTorch's large buffers (docs/performance.md); SPARSEDICTIONARY_MALLOPT=0 switches it off.
NativeAllocator.Configure();

// The first Ctrl+C (or SIGTERM) asks the running command to stop (it throws from its next progress report and exits with
// 130; 'train' saves a checkpoint first); a second one ends the process at once.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    cancellation.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    if (cancellation.IsCancellationRequested) return;
    signal.Cancel = true;
    cancellation.Cancel();
});
var context = new CliContext(Console.Out, Console.Error, errorIsTerminal: !Console.IsErrorRedirected, cancellation.Token);
return CliApp.Run(args, context);
