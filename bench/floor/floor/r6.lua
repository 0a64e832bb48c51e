rule(require "floor"(6))
