using System.Globalization;
using System.Runtime.CompilerServices;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// How many scenarios each property plays. CI plays <see cref="CiIterations"/>; the environment variable
/// <c>ASYNCCOMBINATORS_SOAK</c> runs a long soak: <c>1</c> plays <see cref="SoakIterations"/> per combinator, a larger
/// number plays that many. <c>ASYNCCOMBINATORS_SEED</c> replays one seed that a failure printed.
/// </summary>
public static class ModelSettings
{
    /// <summary>Scenarios per combinator in CI.</summary>
    public const long CiIterations = 10_000;

    /// <summary>Scenarios per combinator in a soak run.</summary>
    public const long SoakIterations = 1_000_000;

    /// <summary>How long a step may take to show its effect before the scenario fails instead of hanging CI.</summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Gets the number of scenarios a property plays, scaled by <paramref name="share"/> (1 = a full combinator).</summary>
    public static long Iterations(double share = 1)
    {
        long total = CiIterations;
        string? soak = Environment.GetEnvironmentVariable("ASYNCCOMBINATORS_SOAK");
        if (!string.IsNullOrWhiteSpace(soak) && long.TryParse(soak, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value > 0)
        {
            total = value == 1 ? SoakIterations : value;
        }

        return Math.Max(1, (long)(total * share));
    }

    /// <summary>Gets the seed to replay, or null to draw new ones.</summary>
    public static string? Seed => Environment.GetEnvironmentVariable("ASYNCCOMBINATORS_SEED") is { Length: > 0 } seed ? seed : null;

    /// <summary>
    /// Scenario threads block while they wait for the library to react; the pool must hand the library's continuations
    /// a thread at once rather than after its starvation delay.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseThreadPoolMinimum()
    {
        ThreadPool.GetMinThreads(out int workers, out int ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(ports, 32));
    }
}
