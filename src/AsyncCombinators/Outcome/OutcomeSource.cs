using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// The single reference that an <see cref="Outcome"/> or an <see cref="Outcome{T}"/> holds, and how it reads:
/// <list type="bullet">
/// <item><see langword="null"/>: a success (with <c>default(T)</c>).</item>
/// <item>A completed <see cref="Task"/>: that task's outcome, read from it when asked (its value, its first inner exception,
/// or its cancellation). So gathering outcomes costs one reference per input and no reading at all, and a cancellation's
/// <see cref="OperationCanceledException"/> is only materialized on demand.</item>
/// <item>An <see cref="Exception"/>: a failure, canceled for an <see cref="OperationCanceledException"/> and faulted for
/// any other, as an <see langword="async"/> method that throws it would end.</item>
/// <item>Anything else: a success with that value (an untyped outcome converted from a typed one keeps it and ignores it),
/// boxed when it is a value type or could read as one of the kinds above.</item>
/// </list>
/// </summary>
internal static class OutcomeSource
{
    public static OutcomeState GetState(object? source) => source switch
    {
        Task task => GetState(task),
        OperationCanceledException => OutcomeState.Canceled,
        Exception => OutcomeState.Faulted,
        _ => OutcomeState.Success,
    };

    public static Exception? GetException(object? source) => source switch
    {
        Task task => GetState(task) switch
        {
            OutcomeState.Success => null,
            OutcomeState.Faulted => task.Exception!.InnerExceptions[0],
            _ => GetCancellationException(task),
        },
        Exception exception => exception,
        _ => null,
    };

    /// <summary>Rethrows the captured exception (for a canceled task: its own <see cref="OperationCanceledException"/>) with its original stack.</summary>
    [DoesNotReturn]
    public static void Throw(object? source)
    {
        Exception exception = GetException(source)!;
        ExceptionDispatchInfo.Capture(exception).Throw();
#if NETSTANDARD2_0
        throw exception; // unreachable; netstandard2.0 does not mark ExceptionDispatchInfo.Throw as [DoesNotReturn]
#endif
    }

    public static string Describe(object? source)
    {
        if (GetState(source) == OutcomeState.Faulted)
        {
            Exception exception = GetException(source)!;
            return $"Faulted({exception.GetType().Name}: {exception.Message})";
        }

        return "Canceled";
    }

    /// <summary>
    /// Whether two failed outcomes' sources are the same failure: the same state and the same exception (a cancellation read
    /// from a task without an exception of its own makes a new one each time, so it equals only itself, by source).
    /// </summary>
    public static bool SameFailure(object? source, object? other) =>
        GetState(source) == GetState(other) && ReferenceEquals(GetException(source), GetException(other));

    /// <summary>
    /// A hash code consistent with <see cref="SameFailure"/> for a fault (its exception's) and with equality by state
    /// otherwise: one value for every success without a value to hash, and one for every cancellation (whose exception
    /// may be made anew at each read).
    /// </summary>
    public static int GetHashCode(object? source)
    {
        OutcomeState state = GetState(source);
        return state == OutcomeState.Faulted ? RuntimeHelpers.GetHashCode(GetException(source)) : (int)state;
    }

    /// <summary>
    /// The source for a completed task: the task itself, except that a fault is read now (which marks it observed) and
    /// kept as its exception, so that reading it later costs nothing; a task that faulted with an
    /// <see cref="OperationCanceledException"/> first stays the task, which still reads as faulted.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="task"/> has not completed.</exception>
    public static object FromCompletedTask(Task task)
    {
        if (task.IsSucceeded() || task.IsCanceled)
        {
            return task;
        }

        if (task.IsFaulted)
        {
            Exception first = task.Exception!.InnerExceptions[0];
            return first is OperationCanceledException ? task : first;
        }

        ThrowHelper.ThrowInvalidOperation("The task has not completed yet (asyncio InvalidStateError): an outcome exists only for a completed task.");
        return task;
    }

    private static OutcomeState GetState(Task task) =>
        task.IsSucceeded() ? OutcomeState.Success : task.IsFaulted ? OutcomeState.Faulted : OutcomeState.Canceled;

    private static OperationCanceledException GetCancellationException(Task canceledTask)
    {
        OperationCanceledException? thrown = null;
        try
        {
            // Awaiting a canceled task throws its own OperationCanceledException (original type and stack).
            canceledTask.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException exception)
        {
            thrown = exception;
        }

        return thrown ?? new TaskCanceledException(canceledTask);
    }
}
