#!/usr/bin/env node
console.log('gsched');
