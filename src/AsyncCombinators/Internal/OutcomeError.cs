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

        if (error is Task canceledTask)
        {
            return GetCancellationException(canceledTask);
        }

        return (Exception?)error ?? new OperationCanceledException();
    }

    [DoesNotReturn]
    public static void Throw(object? error)
    {
        if (error is Task canceledTask)
        {
            // Rethrows the task's own OperationCanceledException (original type and stack), as await does.
            canceledTask.GetAwaiter().GetResult();
            throw new OperationCanceledException(); // unreachable: a canceled task always throws
        }

        if (error is Exception exception)
        {
            ExceptionDispatchInfo.Capture(exception).Throw();
        }

        throw new OperationCanceledException();
    }

    public static string Describe(OutcomeState state, object? error) => state switch
    {
        OutcomeState.Faulted => $"Faulted({((Exception)error!).GetType().Name}: {((Exception)error!).Message})",
        _ => "Canceled",
    };

    private static OperationCanceledException GetCancellationException(Task canceledTask)
    {
        Debug.Assert(canceledTask.IsCanceled, "Only canceled tasks are stored in the error slot.");
        try
        {
            canceledTask.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException exception)
        {
            return exception;
        }

        return new TaskCanceledException(canceledTask);
    }
}
