using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>
/// Shared logic of <see cref="Outcome"/> and <see cref="Outcome{T}"/>. The error slot holds either the exception
/// itself or, for a canceled task, the task: its <see cref="OperationCanceledException"/> is only materialized on demand,
/// so collecting the outcomes of many canceled tasks costs no throw.
/// </summary>
internal static class OutcomeError
{
    public static Exception? GetException(OutcomeState state, object? error)
    {
        if (state == OutcomeState.Success)
        {
            return null;
        }

        return error as Exception ?? GetCancellationException((Task)error!);
    }

    /// <summary>Rethrows the captured exception (for a canceled task: its own <see cref="OperationCanceledException"/>) with its original stack.</summary>
    [DoesNotReturn]
    public static void Throw(object? error)
    {
        Exception exception = error as Exception ?? GetCancellationException((Task)error!);
        ExceptionDispatchInfo.Capture(exception).Throw();
#if NETSTANDARD2_0
        throw exception; // unreachable; netstandard2.0 does not mark ExceptionDispatchInfo.Throw as [DoesNotReturn]
#endif
    }

    public static string Describe(OutcomeState state, object? error) => state switch
    {
        OutcomeState.Faulted => $"Faulted({((Exception)error!).GetType().Name}: {((Exception)error!).Message})",
        _ => "Canceled",
    };

    private static OperationCanceledException GetCancellationException(Task canceledTask)
    {
        // Stryker disable once all : compiled out of Release builds.
        Debug.Assert(canceledTask.IsCanceled, "Only canceled tasks are stored in the error slot.");
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
