using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

internal static class TaskStatusExtensions
{
    /// <summary><c>Task.IsCompletedSuccessfully</c>, which netstandard2.0 lacks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSucceeded(this Task task) =>
#if NETSTANDARD2_0
        task.Status == TaskStatus.RanToCompletion;
#else
        task.IsCompletedSuccessfully;
#endif

    /// <summary>Marks a faulted task's exception as observed, so it never reaches <see cref="TaskScheduler.UnobservedTaskException"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Observe(this Task task)
    {
        if (task.IsFaulted)
        {
            _ = task.Exception;
        }
    }
}
