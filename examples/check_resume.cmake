# Runs the demo (sparse, RigL) planned for 3 epochs but stopped after 2, saving; then on to 3
# epochs from that checkpoint; and 3 epochs straight. The two final checkpoints, which hold every
# weight, optimiser state, connection and generator, must be identical byte for byte.
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
set(common --model sparse --method rigl --density 0.1 --update-interval 50 --seed 3 --batch 256)
function(run)
  execute_process(COMMAND ${DEMO} ${common} ${ARGN} RESULT_VARIABLE result
    OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${DEMO} ${ARGN} failed (${result}):\n${out}\n${err}")
  endif()
endfunction()
run(--epochs 3 --stop-after 2 --save ${DIR}/first.ckpt)
file(COPY_FILE ${DIR}/first.ckpt ${DIR}/resumed.ckpt)
run(--epochs 3 --load ${DIR}/resumed.ckpt --save ${DIR}/resumed.ckpt)
run(--epochs 3 --save ${DIR}/straight.ckpt)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${DIR}/resumed.ckpt ${DIR}/straight.ckpt
  RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "resuming after 2 epochs did not give the checkpoint of 3 straight epochs")
endif()
message(STATUS "resumed and straight runs end in identical checkpoints")
