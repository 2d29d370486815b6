using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// A countdown of pending inputs that costs one atomic operation per input (its completion) instead of two: it starts
/// at <see cref="Bias"/>, which no number of completions can bring to zero, while the inputs are being registered, and
/// <see cref="Settle"/> then replaces the bias by the number actually registered.
/// </summary>
internal static class PendingCount
{
    /// <summary>The starting value: larger than any array length, so early completions cannot reach zero.</summary>
    public const int Bias = int.MaxValue;

    /// <summary>Replaces the bias by <paramref name="registered"/>; returns whether every registered input has already completed.</summary>
    public static bool Settle(ref int remaining, int registered) =>
        Interlocked.Add(ref remaining, registered - Bias) == 0;

    /// <summary>
    /// Attaches one shared <paramref name="onCompleted"/> to every input that has not completed yet, for promises that
    /// only count completions; returns how many it attached to (the number to <see cref="Settle"/> with).
    /// </summary>
    public static int AttachToPending<TTask>(TTask[] tasks, Action onCompleted)
        where TTask : Task
    {
        int registered = 0;
        foreach (TTask task in tasks)
        {
            if (!task.IsCompleted)
            {
                registered++;
                task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(onCompleted);
            }
        }

        return registered;
    }
}
