using System;
using System.Threading.Tasks;
using AsyncCombinators.Internal;

namespace AsyncCombinators;

/// <summary>Reads the <see cref="Outcome"/> of a completed task.</summary>
public static class OutcomeExtensions
{
    /// <summary>
    /// Gets how a completed task ended, without throwing its exception (asyncio <c>task.result()</c> /
    /// <c>task.exception()</c>). Reading a fault marks the task's exception as observed. Never blocks.
    /// </summary>
    /// <typeparam name="T">The task's result type.</typeparam>
    /// <param name="task">A completed task.</param>
    /// <returns>The task's value, its first inner exception, or its cancellation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="task"/> has not completed yet (asyncio <c>InvalidStateError</c>).</exception>
    public static Outcome<T> GetOutcome<T>(this Task<T> task)
    {
        ThrowHelper.ThrowIfNull(task, nameof(task));
        return Outcome<T>.FromCompletedTask(task);
    }

    /// <summary>
    /// Gets how a completed task ended, without throwing its exception (asyncio <c>task.exception()</c>).
    /// Reading a fault marks the task's exception as observed. Never blocks.
    /// </summary>
    /// <param name="task">A completed task.</param>
    /// <returns>Success, the task's first inner exception, or its cancellation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="task"/> has not completed yet (asyncio <c>InvalidStateError</c>).</exception>
    public static Outcome GetOutcome(this Task task)
    {
        ThrowHelper.ThrowIfNull(task, nameof(task));
        return Outcome.FromCompletedTask(task);
    }
}
