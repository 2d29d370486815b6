using CsCheck;
using Xunit.Abstractions;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>Runs a generated property with the shared probes: seed printing, leaks, unobserved exceptions.</summary>
public static class ModelProperty
{
    /// <summary>
    /// Plays <see cref="ModelSettings.Iterations"/> scenarios of <paramref name="gen"/> (times <paramref name="share"/>),
    /// then checks that no finished call is still referenced and no exception that must be observed was not.
    /// </summary>
    public static void Run<T>(Gen<T> gen, Action<T, LeakProbe> play, ITestOutputHelper output, double share = 1)
        where T : notnull
    {
        using var unobserved = new UnobservedWatch();
        var leaks = new LeakProbe();
        OffContext(() => gen.Sample(
            s => play(s, leaks),
            iter: ModelSettings.Iterations(share),
            seed: ModelSettings.Seed,
            print: s => s.ToString() ?? string.Empty,
            writeLine: output.WriteLine));
        leaks.AssertCollected();
        unobserved.AssertNoneSeen();
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a thread without the test framework's synchronization context: under it a
    /// completion would never resume the library inline, and scenarios with synchronous continuations would not be.
    /// </summary>
    public static void OffContext(Action body)
    {
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).GetAwaiter().GetResult();
    }
}
