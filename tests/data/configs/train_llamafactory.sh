#!/bin/bash
# full-parameter SFT of Llama-2-7B on one node
deepspeed --num_gpus 8 src/train.py \
    --deepspeed examples/deepspeed/ds_z3_config.json \
    --stage sft \
    --do_train \
    --model_name_or_path meta-llama/Llama-2-7b-hf \
    --dataset alpaca_en_demo \
    --template llama2 \
    --finetuning_type full \
    --output_dir saves/llama2-7b/full/sft \
    --overwrite_cache \
    --per_device_train_batch_size 1 \
    --gradient_accumulation_steps 2 \
    --lr_scheduler_type cosine \
    --logging_steps 10 \
    --save_steps 500 \
    --learning_rate 1e-5 \
    --num_train_epochs 3.0 \
    --cutoff_len 1024 \
    --bf16
