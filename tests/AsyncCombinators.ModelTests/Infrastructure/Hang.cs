using System.Diagnostics;

namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>Waits for something the library must do promptly, failing the scenario instead of hanging CI.</summary>
public static class Hang
{
    /// <summary>Spins until <paramref name="done"/> holds; throws <see cref="ModelDivergenceException"/> after the hang timeout.</summary>
    public static void Until(Func<bool> done, Func<string> what)
    {
        if (done())
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        int spins = 0;
        while (!done())
        {
            if (++spins < 50)
            {
                Thread.SpinWait(20);
            }
            else if (spins < 2_000)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
                if (Stopwatch.GetElapsedTime(start) > ModelSettings.HangTimeout)
                {
                    throw new ModelDivergenceException($"Hang guard: {what()} within {ModelSettings.HangTimeout.TotalSeconds} s.");
                }
            }
        }
    }

    /// <summary>Waits for <paramref name="task"/> to complete without observing it.</summary>
    public static void Settled(Task task, string what) => Until(() => task.IsCompleted, () => what + " did not complete");
}

/// <summary>The library did something the reference model does not allow.</summary>
public sealed class ModelDivergenceException : Exception
{
    public ModelDivergenceException(string message)
        : base(message)
    {
    }

    public ModelDivergenceException()
    {
    }

    public ModelDivergenceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
