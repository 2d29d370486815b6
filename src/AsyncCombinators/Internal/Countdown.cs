using System;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// A countdown of pending registrations (an input, or a group of inputs) that costs one atomic operation per
/// registration, its completion: it starts at a bias that no number of completions brings to zero while the
/// registrations are being made, and <see cref="Settle"/> then trades the bias for the number actually made.
/// </summary>
internal struct Countdown
{
    /// <summary>The starting value: larger than any array length, so early completions cannot reach zero.</summary>
    private const int Bias = int.MaxValue;

    /// <summary>Registrations not yet completed, plus <see cref="Bias"/> until settled.</summary>
    private int _remaining;

    /// <summary>Starts counting; call before the first registration.</summary>
    public void Start() => _remaining = Bias;

    /// <summary>Counts one completed registration; returns whether it was the last one.</summary>
    public bool Signal() => Interlocked.Decrement(ref _remaining) == 0;

    /// <summary>Replaces the bias by <paramref name="registered"/>; returns whether every registration has already completed.</summary>
    public bool Settle(int registered) => Interlocked.Add(ref _remaining, registered - Bias) == 0;

    /// <summary>
    /// Attaches one shared <paramref name="onCompleted"/> to every input that has not completed yet; returns how many it
    /// attached to (the number to <see cref="Settle"/> with). A shared delegate is the cheapest continuation, and cannot be
    /// removed: use it only for a wait that ends when every input has completed.
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
